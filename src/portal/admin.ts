/** The portal's admin link: a room-scoped token compared in constant time, closing a link, the connect link. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { toPlain } from '../markup.js';
import { parseRoomKey, type RoomKey } from '../model.js';
import type { Services } from '../services.js';
import type { Tube } from '../tubes.js';

/** Constant-time comparison (of digests, so lengths do not leak either). */
export function sameToken(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export const ADMIN_ACTOR = 'portal:admin (admin link)';

/** Remove a tube of `room` from its portal; both rooms are told and both logs say so. */
export async function closeFromPortal(s: Services, room: RoomKey, tube: Tube): Promise<void> {
  await s.tubes.remove(tube.id);
  const other = tube.a === room ? tube.b : tube.a;
  const [here, there] = await Promise.all([s.roomName(room), s.roomName(other)]);
  await s.audit(parseRoomKey(room), { type: 'close', actor: ADMIN_ACTOR, detail: `unlinked from ${toPlain(there)} (tube ${tube.id})` });
  await s.audit(parseRoomKey(other), { type: 'close', actor: `the portal admin link of ${toPlain(here)}`, detail: `unlinked from ${toPlain(here)} (tube ${tube.id})` });
  await s.notify(room, `The link to ${there} was closed from this room's portal.`);
  await s.notify(other, `This room is no longer linked to ${here}.`);
}

/** A new connect link for the room's portal; the old one stops working. Returns the token. */
export async function replaceConnectLink(s: Services, room: RoomKey): Promise<string> {
  const token = await s.links.newConnectLink(room, (await s.rooms.get(room)).portalConnect);
  await s.rooms.update(room, { portalConnect: token });
  return token;
}

/** The connect link as `-sameroom connect` takes it. */
export function connectUrl(s: Services, token: string): string {
  return `${s.config.publicUrl}/connect/${token}`;
}
