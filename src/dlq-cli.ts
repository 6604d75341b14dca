/**
 * `npm run dlq` lists dead letters; `npm run dlq -- replay [jobId ...]` sends them again.
 * On the embedded store, listing reads the database beside a running bridge (read-only, through
 * WAL); replaying writes to it, so it needs the bridge stopped, and the next start delivers them.
 */
import 'dotenv/config';
import { existsSync } from 'node:fs';
import { loadConfig, type Config } from './config.js';
import { describeError } from './errors.js';
import { MemoryQueue } from './queue/memory.js';
import { DeadLetters, type DeliveryQueue } from './queue/queue.js';
import { RedisQueue } from './queue/redis.js';
import { EmbeddedStore } from './store/embedded.js';
import { RedisStore, connectRedis } from './store/redis.js';
import { dbPath } from './store/sqlite.js';
import type { Store } from './store/store.js';

function open(config: Config, replay: boolean): { store: Store; queue?: DeliveryQueue } | undefined {
  if (config.redisUrl) {
    const client = connectRedis(config.redisUrl);
    const store = new RedisStore(client, config.keyPrefix);
    const queue = new RedisQueue(client, store, config.keyPrefix, { processId: `${config.processId}-dlq`, shards: config.queueShards });
    return { store, queue };
  }
  if (!existsSync(dbPath(config.dataDir))) return undefined;
  if (!replay) return { store: new EmbeddedStore(config.dataDir, { readOnly: true }) };
  const store = new EmbeddedStore(config.dataDir, { owner: 'replaying dead letters (the bridge delivers them when it starts again)' });
  return { store, queue: new MemoryQueue(store) };
}

const USAGE = `Usage: npm run dlq [-- replay [jobId ...]]
  (no arguments)  list the dead letters (deliveries that failed every attempt)
  replay          queue them all again, or only the jobIds given; on the embedded store, stop the
                  bridge first: the next start delivers them
Reads the same keys as npm start (REDIS_URL, REDIS_PREFIX, DATA_DIR, ...; npm start -- --help lists them).
`;

async function main(): Promise<void> {
  const [verb, ...ids] = process.argv.slice(2);
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig();
  const opened = open(config, verb === 'replay');
  if (!opened) {
    console.log(`No dead letters (no data in ${config.dataDir} yet).`);
    return;
  }
  const { store, queue } = opened;
  const dead = new DeadLetters(store);
  try {
    if (verb === 'replay' && queue) {
      const n = await dead.replay(queue, ids.length ? ids : undefined);
      const when = config.redisUrl ? 'a running bridge delivers them' : 'the bridge delivers them when it starts';
      console.log(`${n} dead letter(s) queued again; ${when}.`);
      return;
    }
    const letters = await dead.list(1000);
    if (letters.length === 0) console.log('No dead letters.');
    for (const l of letters) console.log(`${l.job.id}  ${new Date(l.at).toISOString()}  ${l.job.op} → ${l.job.target}  after ${l.attempts} attempts: ${l.error}`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  console.error(`dlq: ${describeError(err)}`);
  process.exit(1);
});
