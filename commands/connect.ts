import { parseRoomKey, type RoomKey } from '../src/model.js';
import type { CommandContext, CommandSpec } from './spec.js';

/** The room a portal URL stands for (`…/portal/<secret>`), or null. */
async function portalRoom(ctx: CommandContext, input: string): Promise<RoomKey | null> {
  const m = /\/portal\/([A-Za-z0-9_-]{16,64})(?:[/?#]|$)/.exec(input);
  if (!m?.[1]) return null;
  return ctx.s.links.portalRoom(m[1]);
}

/** Failures count per room and per user. */
const scopes = ({ roomKey, room, author }: CommandContext): string[] => [`room:${roomKey}`, `user:${room.platform}:${author.id}`];

async function failed(ctx: CommandContext, why: string): Promise<void> {
  await ctx.s.connectAttempts.fail(scopes(ctx));
  await ctx.s.audit(ctx.room, { type: 'connect_refused', actor: ctx.actor, detail: why });
}

export const connect: CommandSpec = {
  name: 'connect',
  usage: '<code or portal URL>',
  help: 'link this room with the room that made the code',
  // No `args` check here: the rate limit is looked at first, whatever the input.
  async run(ctx) {
    const { s, roomKey, room, actor, args, word } = ctx;
    const wait = await s.connectAttempts.waitMinutes(scopes(ctx));
    if (wait > 0) {
      await s.audit(room, { type: 'rate_limited', actor, detail: 'connect' });
      return `Too many failed attempts: try again in ${wait} min.`;
    }
    const input = args.join(' ').trim();
    if (!input) return `Which room? Usage: \`-${word} connect <code>\` (get a code with \`-${word} open\` in the other room).`;
    let other: RoomKey | null = null;
    let restore: (() => Promise<void>) | undefined;
    if (/^https?:\/\//i.test(input)) other = await portalRoom(ctx, input);
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
    if (!other) {
      await failed(ctx, `bad code or link "${input.slice(0, 40)}"`);
      return `That code or link is not valid: it may be mistyped, expired or already used. Make a new one with \`-${word} open\`.`;
    }
    if (other === roomKey) {
      await restore?.();
      return 'This room cannot be linked to itself: use the code in another room.';
    }
    const tube = await s.tubes.create(other, roomKey, actor);
    if (!tube) {
      await restore?.();
      return `This room is already linked to ${await s.roomName(other)}.`;
    }
    const [hereName, thereName] = await Promise.all([s.roomName(roomKey), s.roomName(other)]);
    const otherRef = parseRoomKey(other);
    await s.audit(room, { type: 'connect', actor, detail: `linked to ${thereName} (tube ${tube.id})` });
    await s.audit(otherRef, { type: 'connect', actor, detail: `linked to ${hereName} (tube ${tube.id})` });
    await s.notify(other, `This room is now linked to ${hereName}: messages flow both ways. \`-${word} list\` shows the links.`);
    return `This room is now linked to ${thereName}: messages flow both ways. \`-${word} list\` shows the links.`;
  },
};
