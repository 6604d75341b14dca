import { capabilitiesIn } from '../src/bot.js';
import { linkRefusal } from '../src/caps.js';
import { toPlain } from '../src/markup.js';
import { parseRoomKey, type RoomKey } from '../src/model.js';
import { contextText } from '../src/recent.js';
import type { CommandContext, CommandSpec } from './spec.js';

/**
 * `announce`, followed by the recent conversation of `sources` (the other side's same room, as
 * it was before the link), fitted to what `target`'s platform takes in one message. Rooms that
 * only receive show nothing; a room that only sends is shown nothing.
 */
async function withContext(ctx: CommandContext, target: RoomKey, sources: readonly RoomKey[], announce: string): Promise<string> {
  const { s } = ctx;
  if (s.recent.count <= 0 || (await s.rooms.get(target)).direction === 'out') return announce;
  const senders: RoomKey[] = [];
  for (const r of sources) if ((await s.rooms.get(r)).direction !== 'in') senders.push(r);
  const posts = await s.recent.of(senders);
  if (posts.length === 0) return announce;
  const ref = parseRoomKey(target);
  const bot = s.bot(ref.platform);
  const max = bot ? capabilitiesIn(bot, ref).maxTextLength : 2000;
  const context = contextText('Recent messages there:', posts, max - announce.length - 2);
  return context ? `${announce}\n\n${context}` : announce;
}

/**
 * The room a portal's connect link stands for (`…/connect/<token>`, from the portal's admin
 * view), or null. The public portal URL is not a connect capability.
 */
async function connectLinkRoom(ctx: CommandContext, input: string): Promise<RoomKey | null> {
  const m = /\/connect\/([A-Za-z0-9_-]{16,64})(?:[/?#]|$)/.exec(input);
  if (!m?.[1]) return null;
  const room = await ctx.s.links.connectRoom(m[1]);
  // Replaced links (portal reset, a new connect link) leave nothing that still counts.
  return room && (await ctx.s.rooms.get(room)).portalConnect === m[1] ? room : null;
}

/** Budgets of failed attempts: this room, this person and, where the platform sees it, their address. */
function scopes(ctx: CommandContext): string[] {
  const { roomKey, room, author, message } = ctx;
  return [`room:${roomKey}`, `user:${room.platform}:${author.id}`, ...(message.clientAddress ? [`addr:${message.clientAddress}`] : [])];
}

export const connect: CommandSpec = {
  name: 'connect',
  usage: '<code or connect link>',
  help: 'link this room with the room that made the code (or gave its portal connect link)',
  // No `args` check here: the missing-input answer comes before the lockout, in run.
  async run(ctx) {
    const { s, roomKey, room, actor, args, word, author } = ctx;
    const input = args.join(' ').trim();
    if (!input) return `Which room? Usage: \`-${word} connect <code>\` (get a code with \`-${word} open\` in the other room).`;
    const lockout = s.connectAttempts;
    const budget = scopes(ctx);
    const wait = await lockout.attempt(budget);
    if (wait > 0) {
      await s.audit(room, { type: 'rate_limited', actor, detail: 'connect' });
      return `Too many failed attempts: try again in ${wait} min.`;
    }
    let other: RoomKey | null = null;
    let restore: (() => Promise<void>) | undefined;
    if (/^https?:\/\//i.test(input)) other = await connectLinkRoom(ctx, input);
    else {
      const grant = await s.codes.claim(input);
      if (grant) {
        other = grant.room;
        const left = grant.createdAt + s.config.codeTtlMs - Date.now();
        restore = async () => {
          if (left > 0) await s.codes.restore(input, grant, left);
        };
      }
    }
    // What was typed is never logged: a near miss would hand the log's readers a live code.
    if (!other) {
      await s.audit(room, { type: 'connect_refused', actor, detail: /^https?:\/\//i.test(input) ? 'unknown or replaced connect link' : 'wrong, expired or used code' });
      return `That code or link is not valid: it may be mistyped, expired or already used. Make a new one with \`-${word} open\`.`;
    }
    await lockout.succeeded(budget);
    if (other === roomKey) {
      await restore?.();
      return 'This room cannot be linked to itself: use the code in another room.';
    }
    const refusal = await linkRefusal(s, roomKey, other);
    if (refusal) {
      await restore?.();
      await s.audit(room, { type: 'connect_refused', actor, detail: 'over the size limits' });
      return refusal;
    }
    // Each side's same room before the link: what the other side gets to see as context.
    const [hereSide, thereSide] = await Promise.all([s.tubes.component(roomKey), s.tubes.component(other)]);
    const tube = await s.tubes.create(other, roomKey, actor);
    if (!tube) {
      await restore?.();
      return `This room is already linked to ${await s.roomName(other)}.`;
    }
    const [hereName, thereName] = await Promise.all([s.roomName(roomKey), s.roomName(other)]);
    const [here, there] = [toPlain(hereName), toPlain(thereName)];
    await s.audit(room, { type: 'connect', actor, detail: `linked to ${there} (tube ${tube.id})` });
    // The other room's tenant learns the name of who linked it, not their id.
    await s.audit(parseRoomKey(other), { type: 'connect', actor: `${author.name} in ${here}`, detail: `linked to ${here} (tube ${tube.id})` });
    // Already in one same room (linked through others): there is nothing new to show.
    const joined = !hereSide.includes(other);
    const announce = (name: string): string => `This room is now linked to ${name}: messages flow both ways. \`-${word} list\` shows the links.`;
    await s.notify(other, joined ? await withContext(ctx, other, hereSide, announce(hereName)) : announce(hereName));
    return joined ? withContext(ctx, roomKey, thereSide, announce(thereName)) : announce(thereName);
  },
};
