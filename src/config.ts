/** Configuration from the environment (`.env` is read at start; `.env.example` lists every key). */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadLimits, type Limits } from './limits.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly redisUrl?: string;
  readonly dataDir: string;
  readonly commandWord: string;
  readonly codeTtlMs: number;
  readonly maxFileBytes: number;
  readonly logLevel: string;
  readonly queueShards: number;
  readonly deliveryMaxAttempts: number;
  /** how long a dead process's leases (queue shards, platform connections) last, ms */
  readonly leaseMs: number;
  readonly processId: string;
  readonly keyPrefix: string;
  /** bounds on what strangers may make the bridge do (src/limits.ts) */
  readonly limits: Limits;
  /** the raw environment, for bots' own keys */
  readonly env: NodeJS.ProcessEnv;
}

export function int(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const word = (env.COMMAND_WORD ?? 'sameroom').trim().toLowerCase();
  if (!/^[a-z][a-z0-9_]{1,31}$/.test(word)) throw new Error(`COMMAND_WORD must be a word of letters and digits, got "${word}"`);
  const host = env.HOST || '127.0.0.1';
  // Teams without an app id takes unauthenticated activities: only on this machine (tests, the emulator).
  if (env.TEAMS_ALLOW_UNAUTHENTICATED?.trim().toLowerCase() === 'true' && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new Error(`TEAMS_ALLOW_UNAUTHENTICATED=true needs HOST on loopback (127.0.0.1), got "${host}"`);
  }
  return {
    port,
    host,
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    dataDir: env.DATA_DIR || './data',
    commandWord: word,
    codeTtlMs: int(env, 'CODE_TTL_MINUTES', 10) * 60_000,
    maxFileBytes: int(env, 'MAX_FILE_MB', 25) * 1024 * 1024,
    logLevel: env.LOG_LEVEL || 'info',
    queueShards: int(env, 'QUEUE_SHARDS', 8),
    deliveryMaxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', 10),
    leaseMs: int(env, 'LEASE_MS', 5000),
    processId: env.PROCESS_ID || `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    keyPrefix: env.REDIS_PREFIX ?? 'sr:',
    limits: loadLimits(env, int(env, 'MAX_FILE_MB', 25) * 1024 * 1024, join(env.DATA_DIR || './data', 'files')),
    env,
  };
}

/** Values of secret-looking keys, so logs and error messages can scrub them. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => /TOKEN|SECRET|PASSWORD|_KEY$/.test(k) && typeof v === 'string' && v.length >= 6)
    .map(([, v]) => v as string);
}
