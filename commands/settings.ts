import { AUTHOR_FORMATS, type AuthorFormat, type Direction } from '../src/rooms.js';
import type { CommandSpec } from './spec.js';

export const ping: CommandSpec = {
  name: 'ping',
  usage: '',
  help: 'check the bridge answers, and how fast',
  async run({ s, receivedAt }) {
    await s.store.ping();
    return `pong: ${Date.now() - receivedAt} ms through the bridge`;
  },
};

const EXAMPLES: Record<AuthorFormat, string> = { bold: '**alice**: hi', plain: 'alice: hi', brackets: '\\[alice\\] hi', none: 'hi' };

export const format: CommandSpec = {
  name: 'format',
  requires: ['admin'],
  usage: '<bold|plain|brackets|none>',
  help: "how copies of this room's messages show their author where names cannot be set",
  args: [{ name: 'format', kind: 'word', optional: true, oneOf: AUTHOR_FORMATS }],
  async run({ s, roomKey, values, word }) {
    const want = values.text('format', AUTHOR_FORMATS);
    const current = (await s.rooms.get(roomKey)).format;
    if (!want) return `Author format is ${current} (${EXAMPLES[current]}). Change it with \`-${word} format ${AUTHOR_FORMATS.join('|')}\`.`;
    await s.rooms.update(roomKey, { format: want });
    return `Author format is now ${want} (${EXAMPLES[want]}).`;
  },
};

const DIRECTIONS: Record<Direction, string> = {
  both: 'sends and receives',
  in: 'only receives (its messages stay here)',
  out: 'only sends (messages from linked rooms are not shown here)',
};

const DIRECTION_WORDS: readonly Direction[] = ['in', 'out', 'both'];

export const direction: CommandSpec = {
  name: 'direction',
  requires: ['admin'],
  usage: '<in|out|both>',
  help: 'this room only receives (in), only sends (out), or both',
  args: [{ name: 'direction', kind: 'word', optional: true, oneOf: DIRECTION_WORDS }],
  async run({ s, roomKey, room, actor, values, word }) {
    const want = values.text('direction', DIRECTION_WORDS);
    if (!want) return `This room ${DIRECTIONS[(await s.rooms.get(roomKey)).direction]}. Change with \`-${word} direction in|out|both\`.`;
    await s.rooms.update(roomKey, { direction: want });
    await s.audit(room, { type: 'direction', actor, detail: want });
    return `This room now ${DIRECTIONS[want]}.`;
  },
};

const ON_OFF = ['on', 'off'] as const;

export const log: CommandSpec = {
  name: 'log',
  requires: ['admin'],
  usage: '<on|off>',
  help: "post the security log of this room's tenant (its workspace, or the room itself) here as it happens",
  args: [{ name: 'setting', kind: 'word', oneOf: ON_OFF, prompt: 'On or off?' }],
  async run({ s, roomKey, room, actor, values, word }) {
    const want = values.text('setting', ON_OFF);
    if (!want) return `Usage: \`-${word} log on\` or \`-${word} log off\`.`;
    await s.seclog.subscribe(s.tenant(room), roomKey, want === 'on');
    await s.audit(room, { type: 'log', actor, detail: `security log ${want} in this room` });
    return want === 'on' ? 'This room now receives its security log (its workspace’s where the platform has one, otherwise its own).' : 'This room no longer receives the security log.';
  },
};
