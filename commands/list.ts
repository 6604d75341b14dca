import { escapeText } from '../src/markup.js';
import type { CommandSpec } from './spec.js';

export const list: CommandSpec = {
  name: 'list',
  usage: '',
  help: "this room's links, numbered",
  async run({ s, roomKey, word }) {
    const tubes = await s.tubes.of(roomKey);
    if (tubes.length === 0) return `This room is not linked to any other. Start with \`-${word} open\`.`;
    const lines = await Promise.all(
      tubes.map(async (t, i) => {
        const other = t.a === roomKey ? t.b : t.a;
        return `${i + 1}. ${await s.roomName(other)} (since ${new Date(t.createdAt).toISOString().slice(0, 10)}${t.paused ? ', paused' : ''})`;
      }),
    );
    const size = (await s.tubes.component(roomKey)).length;
    const paused = tubes.some((t) => t.paused) ? ` Resume a paused one with \`-${word} resume <n>\`.` : '';
    return [escapeText(`Links of this room (${size} rooms in this same room):`), ...lines, `Close one with \`-${word} close <n>\`.${paused}`].join('\n');
  },
};
