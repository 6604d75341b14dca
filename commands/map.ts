import type { CommandSpec } from './spec.js';

export const map: CommandSpec = {
  name: 'map',
  usage: '',
  help: 'a picture of every room and link of this same room (link valid 24 h)',
  async run({ s, roomKey }) {
    const token = await s.links.newMapLink(roomKey);
    return `Map of this same room (valid 24 h): ${s.config.publicUrl}/map/${token}`;
  },
};
