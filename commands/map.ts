import { nanoid } from 'nanoid';
import { keys } from '../src/keys.js';
import type { CommandSpec } from './spec.js';

export const MAP_LINK_TTL_MS = 24 * 3600_000;

export const map: CommandSpec = {
  name: 'map',
  usage: '',
  help: 'a picture of every room and link of this same room (link valid 24 h)',
  async run({ s, roomKey }) {
    const token = nanoid(24);
    await s.store.set(keys.mapLink(token), roomKey, MAP_LINK_TTL_MS);
    return `Map of this same room (valid 24 h): ${s.config.publicUrl}/map/${token}`;
  },
};
