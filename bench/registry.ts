/**
 * Scale of the tube registry in Redis: bytes of Redis memory per tube and the cold-cache lookup
 * of a room's same room (Tubes.component) at 1k, 100k and 1M tubes (--quick: 1k and 10k).
 *
 * Tubes are bulk-loaded with pipelined writes of exactly the keys Tubes.create writes (keys
 * from src/keys.ts): the pair guard, the tube hash and both rooms' tube sets. Same rooms are
 * chains of four rooms (three tubes), so a lookup walks four levels of the graph.
 */
import { customAlphabet } from 'nanoid';
import { keys } from '../src/keys.js';
import { roomKey, type RoomKey, type TubeId } from '../src/model.js';
import { RedisStore, connectRedis, type RedisClient } from '../src/store/redis.js';
import { Tubes } from '../src/tubes.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { clock, round, summarize } from './stats.js';

export interface RegistryRow {
  readonly tubes: number;
  readonly rooms: number;
  readonly loadSeconds: number;
  readonly usedMemoryMiB: number;
  readonly bytesPerTube: number;
  readonly lookups: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const PREFIX = 'sr:';
const TUBES_PER_SAME_ROOM = 3;
const tubeId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16) as () => TubeId;
const room = (platform: string, i: number, j: number): RoomKey => roomKey({ platform, workspace: `w${i % 977}`, channel: `c${i}-${j}` });
const PLATFORMS = ['slack', 'discord', 'telegram', 'teams'];
/** Room j of same room i (a chain across four platforms). */
const roomOf = (i: number, j: number): RoomKey => room(PLATFORMS[j] ?? 'web', i, j);

async function usedMemory(client: RedisClient): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Write tubes [fromTube, toTube) as Tubes.create would, pipelined. */
async function load(client: RedisClient, fromSameRoom: number, toSameRoom: number, now: number): Promise<void> {
  const BATCH = 2000; // same rooms per pipeline
  const inFlight: Promise<unknown>[] = [];
  for (let start = fromSameRoom; start < toSameRoom; start += BATCH) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(toSameRoom, start + BATCH); i++) {
      for (let t = 0; t < TUBES_PER_SAME_ROOM; t++) {
        const a = roomOf(i, t);
        const b = roomOf(i, t + 1);
        const id = tubeId();
        p.set(PREFIX + keys.pair(a, b), id, 'NX');
        p.hset(PREFIX + keys.tube(id), { a, b, createdAt: String(now), by: `bench:u${i}` });
        p.sadd(PREFIX + keys.roomTubes(a), id);
        p.sadd(PREFIX + keys.roomTubes(b), id);
      }
    }
    inFlight.push(p.exec());
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await client.incr(PREFIX + keys.topology());
}

export async function registryBench(sizes: readonly number[], lookups: number, log: (s: string) => void): Promise<RegistryRow[]> {
  // A server of its own, so used_memory counts nothing else.
  const server = await startRedisServer();
  const client = connectRedis(server.url);
  const rows: RegistryRow[] = [];
  try {
    const store = new RedisStore(client, PREFIX);
    const base = await usedMemory(client);
    let loaded = 0; // same rooms
    let loadMs = 0;
    for (const size of sizes) {
      const target = Math.ceil(size / TUBES_PER_SAME_ROOM);
      const t0 = clock();
      await load(client, loaded, target, Date.now());
      loadMs += clock() - t0;
      loaded = target;
      const tubes = loaded * TUBES_PER_SAME_ROOM;
      const used = await usedMemory(client);
      // Cold cache: a fresh Tubes per lookup; rooms at either end of a chain, spread over the set.
      const lat: number[] = [];
      let wrong = 0;
      for (let n = 0; n < lookups; n++) {
        const i = Math.floor(Math.random() * loaded);
        const r = roomOf(i, n % 2 === 0 ? 0 : TUBES_PER_SAME_ROOM);
        const s = clock();
        const component = await new Tubes(store).component(r);
        lat.push(clock() - s);
        if (component.length !== TUBES_PER_SAME_ROOM + 1) wrong++;
      }
      if (wrong) throw new Error(`registry bench: ${wrong} lookups found the wrong same room`);
      const l = summarize(lat);
      const row: RegistryRow = {
        tubes,
        rooms: loaded * (TUBES_PER_SAME_ROOM + 1),
        loadSeconds: round(loadMs / 1000, 1),
        usedMemoryMiB: round((used - base) / 1048576, 1),
        bytesPerTube: Math.round((used - base) / tubes),
        lookups: l.n,
        p50: l.p50,
        p99: l.p99,
        max: l.max,
      };
      log(`registry: ${tubes} tubes, ${row.bytesPerTube} B/tube, component p50 ${row.p50} ms p99 ${row.p99} ms (loaded in ${row.loadSeconds} s)`);
      rows.push(row);
    }
  } finally {
    client.disconnect();
    await server.stop();
  }
  return rows;
}
