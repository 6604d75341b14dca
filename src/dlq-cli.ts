/** `npm run dlq` lists dead letters; `npm run dlq -- replay [jobId ...]` sends them again. */
import 'dotenv/config';
import { loadConfig } from './config.js';
import { describeError } from './errors.js';
import { MemoryQueue } from './queue/memory.js';
import { DeadLetters } from './queue/queue.js';
import { RedisQueue } from './queue/redis.js';
import { EmbeddedStore } from './store/embedded.js';
import { RedisStore, connectRedis } from './store/redis.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const [verb, ...ids] = process.argv.slice(2);
  const client = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  const store = client ? new RedisStore(client, config.keyPrefix) : new EmbeddedStore(config.dataDir);
  const queue = client
    ? new RedisQueue(client, store, config.keyPrefix, { processId: `${config.processId}-dlq`, shards: config.queueShards })
    : new MemoryQueue(store);
  const dead = new DeadLetters(store);
  try {
    if (verb === 'replay') {
      const n = await dead.replay(queue, ids.length ? ids : undefined);
      console.log(`${n} dead letter(s) queued again; a running bridge delivers them.`);
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
