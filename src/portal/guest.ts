/**
 * Guest chat through a portal: the first guest who asks gets a web room made for the portal
 * (named "Guests of <room>") and tubed to the portal's room; later guests join the same one.
 * The room is keyed by the portal secret, so `portal reset` starts a fresh guest room. When the
 * room's people close the guest link, the guest chat stays closed until the portal is reset.
 */
import type { Bot } from '../bot.js';
import { linkRefusal } from '../caps.js';
import { keys } from '../keys.js';
import { toPlain } from '../markup.js';
import { parseRoomKey, roomKey, type RoomKey, type RoomRef } from '../model.js';
import type { Services } from '../services.js';

/** What the portal needs from the web platform (bots/web implements it). */
export interface WebRoomMaker {
  createWebRoom(name: string): Promise<{ room: RoomRef; path: string }>;
  /** The page of a web room, relative to the server. */
  webRoomPath(channel: string): string;
}

export function isWebRoomMaker(bot: Bot): bot is Bot & WebRoomMaker {
  const b = bot as Partial<WebRoomMaker>;
  return typeof b.createWebRoom === 'function' && typeof b.webRoomPath === 'function';
}

export type GuestChat =
  | { readonly state: 'none' }
  | { readonly state: 'open'; readonly path: string }
  | { readonly state: 'closed' };

/** The portal's guest chat as it stands (nothing is made). */
export async function guestChat(s: Services, web: WebRoomMaker, secret: string, portalRoom: RoomKey): Promise<GuestChat> {
  const guest = (await s.store.get(keys.portalGuest(secret))) as RoomKey | null;
  if (!guest) return { state: 'none' };
  const linked = (await s.tubes.component(portalRoom)).includes(guest);
  return linked ? { state: 'open', path: web.webRoomPath(parseRoomKey(guest).channel) } : { state: 'closed' };
}

/** The guest room's page, made and linked on first use; null when the room closed its guest link or is full. */
export async function openGuestChat(s: Services, web: WebRoomMaker, secret: string, portalRoom: RoomKey, roomTitle: string): Promise<string | null> {
  const now = await guestChat(s, web, secret, portalRoom);
  if (now.state === 'open') return now.path;
  if (now.state === 'closed') return null;
  const made = await web.createWebRoom(`Guests of ${roomTitle}`);
  const guest = roomKey(made.room);
  if (!(await s.store.setIfAbsent(keys.portalGuest(secret), guest))) {
    // Another guest made it a moment ago: use theirs.
    const other = await s.store.get(keys.portalGuest(secret));
    return other ? web.webRoomPath(parseRoomKey(other).channel) : null;
  }
  // Guests may talk, and run only `help` and `ping` (commands/permissions.ts).
  await s.store.set(keys.guestRoom(guest), secret);
  if (await linkRefusal(s, guest, portalRoom)) return null;
  const tube = await s.tubes.create(guest, portalRoom, 'portal:guest');
  if (!tube) return made.path;
  const [hereName, guestName] = await Promise.all([s.roomName(portalRoom), s.roomName(guest)]);
  const word = s.config.commandWord;
  await s.audit(parseRoomKey(portalRoom), { type: 'connect', actor: 'portal:guest', detail: `guest web chat linked through the portal (tube ${tube.id})` });
  await s.audit(made.room, { type: 'connect', actor: `the portal of ${toPlain(hereName)}`, detail: `linked to ${toPlain(hereName)} (tube ${tube.id})` });
  await s.notify(portalRoom, `Guests can now chat with this room from its portal (${guestName}): what they write appears here. \`-${word} list\` shows the links.`);
  await s.notify(guest, `Welcome! This chat is linked to ${hereName}: what you write here appears there, and answers appear here.`);
  return made.path;
}
