/**
 * Leases on Redis: one holder at a time, with expiry and a fencing token. Used for queue shards
 * and for connections a platform allows once per token (Discord gateway, Telegram polling,
 * Slack Socket Mode). A holder that stops renewing loses the lease after `ttlMs`.
 */
import type { RedisClient } from './store/redis.js';

const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0') end
return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class Lease {
  /** Fencing token of the current hold (grows with every new holder), or 0. */
  token = 0;

  /** `key` should carry a hash tag: the fence key is `key:fence` on the same node. */
  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    private readonly owner: string,
    readonly ttlMs: number,
  ) {}

  get held(): boolean {
    return this.token > 0;
  }

  /** Take the lease if free (or already ours). */
  async acquire(): Promise<boolean> {
    const t = Number(await this.client.eval(ACQUIRE, 2, this.key, `${this.key}:fence`, this.owner, String(this.ttlMs)));
    this.token = t;
    return t > 0;
  }

  async renew(): Promise<boolean> {
    if (!this.held) return false;
    const ok = Number(await this.client.eval(RENEW, 1, this.key, this.owner, String(this.ttlMs))) === 1;
    if (!ok) this.token = 0;
    return ok;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.token = 0;
    await this.client.eval(RELEASE, 1, this.key, this.owner);
  }
}
