/** Configuration from the environment (`.env` is read at start; `.env.example` lists every key). */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * `admins` (default): admin commands need an admin where the platform can tell, anyone where it
 * cannot. `strict`: they need an admin the platform confirms (refused where it cannot tell).
 * `members`: any member may run every command (portal guests stay limited to `help` and `ping`).
 */
export type CommandPermissions = 'admins' | 'strict' | 'members';
const PERMISSIONS: readonly CommandPermissions[] = ['admins', 'strict', 'members'];

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
  /** at most this many rooms in one same room (MAX_ROOMS_PER_SAME_ROOM) */
  readonly maxRoomsPerSameRoom: number;
  /** at most this many tubes per room (MAX_TUBES_PER_ROOM) */
  readonly maxTubesPerRoom: number;
  /** who may run the commands that change a room or reveal its log (COMMAND_PERMISSIONS, commands/permissions.ts) */
  readonly commandPermissions: CommandPermissions;
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

function permissions(raw: string | undefined): CommandPermissions {
  const v = (raw ?? '').trim().toLowerCase() || 'admins';
  if (!(PERMISSIONS as readonly string[]).includes(v)) throw new Error(`COMMAND_PERMISSIONS must be one of ${PERMISSIONS.join(', ')}, got "${raw}"`);
  return v as CommandPermissions;
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
    commandWord: word,
    codeTtlMs: int(env, 'CODE_TTL_MINUTES', 10) * 60_000,
    maxFileBytes: int(env, 'MAX_FILE_MB', 25) * 1024 * 1024,
    logLevel: env.LOG_LEVEL || 'info',
    queueShards: int(env, 'QUEUE_SHARDS', 8),
    deliveryMaxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', 10),
    leaseMs: int(env, 'LEASE_MS', 5000),
    maxRoomsPerSameRoom: Math.max(2, int(env, 'MAX_ROOMS_PER_SAME_ROOM', 20)),
    maxTubesPerRoom: Math.max(1, int(env, 'MAX_TUBES_PER_ROOM', 10)),
    commandPermissions: permissions(env.COMMAND_PERMISSIONS),
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
