import { toPlain } from '../src/markup.js';
import { parseRoomKey } from '../src/model.js';
import type { Tube } from '../src/tubes.js';
import type { CommandContext, CommandSpec } from './spec.js';

const links = (n: number): string => (n === 1 ? '1 link' : `${n} links`);

/** Remove one tube and tell both rooms. */
export async function closeTube(ctx: CommandContext, tube: Tube): Promise<string> {
  const { s, roomKey, room, actor, author } = ctx;
  await s.tubes.remove(tube.id);
  const other = tube.a === roomKey ? tube.b : tube.a;
  const [here, there] = await Promise.all([s.roomName(roomKey), s.roomName(other)]);
  await s.audit(room, { type: 'close', actor, detail: `unlinked from ${toPlain(there)} (tube ${tube.id})` });
  // The other room's tenant learns the name of who closed it, not their id.
  await s.audit(parseRoomKey(other), { type: 'close', actor: `${author.name} in ${toPlain(here)}`, detail: `unlinked from ${toPlain(here)} (tube ${tube.id})` });
  await s.notify(other, `This room is no longer linked to ${here}.`);
  return there;
}

export const close: CommandSpec = {
  name: 'close',
  requires: ['admin'],
  usage: '<n>',
  help: 'remove link number n (see list)',
  args: [{ name: 'n', kind: 'int', min: 1, prompt: 'Which link? n is from `list`.' }],
  async run(ctx) {
    const { s, roomKey, values } = ctx;
    const n = values.int('n') ?? 0;
    const tubes = await s.tubes.of(roomKey);
    const tube = tubes[n - 1];
    if (!tube) return tubes.length ? `There is no link number ${n}: this room has ${tubes.length}.` : 'This room is not linked to any other.';
    const there = await closeTube(ctx, tube);
    return `This room is no longer linked to ${there}.`;
  },
};

export const disable: CommandSpec = {
  name: 'disable',
  requires: ['admin'],
  usage: '',
  help: 'remove every link of this room',
  async run(ctx) {
    const tubes = await ctx.s.tubes.of(ctx.roomKey);
    if (tubes.length === 0) return 'This room is not linked to any other.';
    for (const t of tubes) await closeTube(ctx, t);
    await ctx.s.audit(ctx.room, { type: 'disable', actor: ctx.actor, detail: `${links(tubes.length)} removed` });
    return `Removed all ${links(tubes.length)} of this room.`;
  },
};
