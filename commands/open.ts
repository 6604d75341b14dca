import type { CommandSpec } from './spec.js';

export const open: CommandSpec = {
  name: 'open',
  usage: '',
  help: 'make a one-time code to link another room to this one',
  async run({ s, roomKey, room, actor, word }) {
    const code = await s.codes.open(roomKey, actor);
    await s.audit(room, { type: 'open', actor, detail: 'code issued' });
    const minutes = Math.round(s.config.codeTtlMs / 60_000);
    return `To link a room to this one, paste this line there (works once, for ${minutes} minutes):\n\`-${word} connect ${code}\``;
  },
};
