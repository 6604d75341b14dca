/** Configuration from the environment (`.env` is read at start; `.env.example` lists every key). */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly redisUrl?: string;
  readonly dataDir: string;
  /**
   * When the embedded store acknowledges a write: `fsync` (default) once the WAL is on the disk,
   * so it survives a power cut; `os` once it is in the OS's hands (survives the process dying,
   * not the machine), at a lower latency on slow disks.
   */
  readonly dataSync: 'fsync' | 'os';
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
  /** the raw environment, for bots' own keys */
  readonly env: NodeJS.ProcessEnv;
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number, got "${raw}"`);
  return n;
}

function dataSync(raw: string | undefined): 'fsync' | 'os' {
  if (raw === undefined || raw === '' || raw === 'fsync') return 'fsync';
  if (raw === 'os') return 'os';
  throw new Error(`DATA_SYNC must be fsync or os, got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const word = (env.COMMAND_WORD ?? 'sameroom').trim().toLowerCase();
  if (!/^[a-z][a-z0-9_]{1,31}$/.test(word)) throw new Error(`COMMAND_WORD must be a word of letters and digits, got "${word}"`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    dataDir: env.DATA_DIR || './data',
    dataSync: dataSync(env.DATA_SYNC),
    commandWord: word,
    codeTtlMs: int(env, 'CODE_TTL_MINUTES', 10) * 60_000,
    maxFileBytes: int(env, 'MAX_FILE_MB', 25) * 1024 * 1024,
    logLevel: env.LOG_LEVEL || 'info',
    queueShards: int(env, 'QUEUE_SHARDS', 8),
    deliveryMaxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', 10),
    leaseMs: int(env, 'LEASE_MS', 5000),
    processId: env.PROCESS_ID || `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    keyPrefix: env.REDIS_PREFIX ?? 'sr:',
    env,
  };
}

/** Values of secret-looking keys, so logs and error messages can scrub them. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => /TOKEN|SECRET|PASSWORD|_KEY$/.test(k) && typeof v === 'string' && v.length >= 6)
    .map(([, v]) => v as string);
}
