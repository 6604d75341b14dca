/** `pause [n]` / `resume [n]`: stop and restart relaying on a link without removing it. */
import { toPlain } from '../src/markup.js';
import { parseRoomKey } from '../src/model.js';
import type { Tube } from '../src/tubes.js';
import type { CommandContext, CommandSpec } from './spec.js';

const messages = (n: number): string => `${n} message${n === 1 ? '' : 's'}`;

/** The tubes the command is about: number n, or all of the room's; or the answer when n is wrong. */
async function chosen(ctx: CommandContext): Promise<Tube[] | string> {
  const tubes = await ctx.s.tubes.of(ctx.roomKey);
  if (tubes.length === 0) return `This room is not linked to any other. Start with \`-${ctx.word} open\`.`;
  if (!ctx.args[0]) return tubes;
  const n = Number(ctx.args[0]);
  const tube = tubes[n - 1];
  return tube ? [tube] : `There is no link number ${n}: this room has ${tubes.length}. \`-${ctx.word} list\` shows them.`;
}

/** Pause or resume one tube, tell the other room and log it in both; the line for this room's answer. */
async function toggle(ctx: CommandContext, tube: Tube, pause: boolean): Promise<string> {
  const { s, roomKey, room, actor, author, word } = ctx;
  const other = tube.a === roomKey ? tube.b : tube.a;
  const [here, there] = await Promise.all([s.roomName(roomKey), s.roomName(other)]);
  if (!(await s.tubes.setPaused(tube.id, pause))) return `The link to ${there} is already ${pause ? 'paused' : 'running'}.`;
  const type = pause ? 'pause' : 'resume';
  // The other room's tenant learns the name of who did it, not their id; logs name rooms in plain text.
  const [plainHere, plainThere] = [toPlain(here), toPlain(there)];
  const farActor = `${author.name} in ${plainHere}`;
  if (pause) {
    await s.audit(room, { type, actor, detail: `paused the link to ${plainThere} (tube ${tube.id})` });
    await s.audit(parseRoomKey(other), { type, actor: farActor, detail: `link to ${plainHere} paused from there (tube ${tube.id})` });
    await s.notify(other, `The link to ${here} was paused from there: nothing is relayed either way until it is resumed.`);
    return `Paused the link to ${there}: nothing is relayed either way until \`-${word} resume\`.`;
  }
  const held = await s.tubes.takeHeld(tube);
  const [fromHere, fromThere] = tube.a === roomKey ? [held.fromA, held.fromB] : [held.fromB, held.fromA];
  const missed = (mine: number, theirs: number): string =>
    mine + theirs === 0 ? 'no message was held back meanwhile' : `${messages(mine)} from this side and ${messages(theirs)} from the other side were not relayed while paused`;
  await s.audit(room, { type, actor, detail: `resumed the link to ${plainThere} (tube ${tube.id}); ${fromHere + fromThere} not relayed while paused` });
  await s.audit(parseRoomKey(other), { type, actor: farActor, detail: `link to ${plainHere} resumed from there (tube ${tube.id})` });
  await s.notify(other, `The link to ${here} was resumed from there: messages flow again; ${missed(fromThere, fromHere)}.`);
  return `Resumed the link to ${there}: messages flow again; ${missed(fromHere, fromThere)}.`;
}

function spec(pause: boolean): CommandSpec {
  return {
    name: pause ? 'pause' : 'resume',
    requires: ['admin'],
    usage: '[n]',
    help: pause
      ? "stop relaying, both ways, on link n (or all of this room's) without removing it"
      : 'relay again on paused link n (or all), and say how many messages were held back',
    args: [{ name: 'n', kind: 'int', min: 1, optional: true, prompt: 'Which link? n is from `list`.' }],
    async run(ctx) {
      const tubes = await chosen(ctx);
      if (typeof tubes === 'string') return tubes;
      const lines: string[] = [];
      for (const t of tubes) lines.push(await toggle(ctx, t, pause));
      return lines.join('\n');
    },
  };
}

export const pause = spec(true);
export const resume = spec(false);
