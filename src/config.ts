/**
 * The core's configuration from the environment (`.env` is read at start). Its keys are declared
 * once in CORE_ENV, parsed by the one parser (src/env.ts); `.env.example` and the README's table
 * are checked against the declarations.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseEnv, secretsOf, type EnvKey } from './env.js';
import { LIMITS_ENV, loadLimits, type Limits } from './limits.js';
import { ConfigErrors } from './platform.js';

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
  /**
   * When the embedded store acknowledges a write: `fsync` (default) once the WAL is on the disk,
   * so it survives a power cut; `os` once it is in the OS's hands (survives the process dying,
   * not the machine), at a lower latency on slow disks.
   */
  readonly dataSync: 'fsync' | 'os';
  readonly commandWord: string;
  readonly codeTtlMs: number;
  readonly maxFileBytes: number;
  /** recent posts shown to each side when rooms connect; 0: none */
  readonly contextOnConnect: number;
  readonly logLevel: string;
  readonly queueShards: number;
  readonly deliveryMaxAttempts: number;
  /** how long a dead process's leases (queue shards, platform connections) last, ms */
  readonly leaseMs: number;
  readonly shutdownTimeoutMs: number;
  readonly processId: string;
  /** at most this many rooms in one same room (MAX_ROOMS_PER_SAME_ROOM) */
  readonly maxRoomsPerSameRoom: number;
  /** at most this many tubes per room (MAX_TUBES_PER_ROOM) */
  readonly maxTubesPerRoom: number;
  /** who may run the commands that change a room or reveal its log (COMMAND_PERMISSIONS, commands/permissions.ts) */
  readonly commandPermissions: CommandPermissions;
  readonly keyPrefix: string;
  /** bounds on what strangers may make the bridge do (src/limits.ts) */
  readonly limits: Limits;
  /** the raw environment, for the platforms' own keys (declared in their descriptors) */
  readonly env: NodeJS.ProcessEnv;
}

export const CORE_ENV: readonly EnvKey[] = [
  { key: 'PORT', kind: 'number', min: 0, max: 65535, default: '8080', doc: 'port of the one HTTP server: web chat, portal, map, webhooks, `/healthz`, `/metrics`' },
  { key: 'HOST', kind: 'string', default: '127.0.0.1', doc: 'address it listens on' },
  { key: 'PUBLIC_URL', kind: 'url', doc: 'base of every link the bot posts and every webhook it registers; default `http://localhost:$PORT`' },
  { key: 'REDIS_URL', kind: 'url', schemes: ['redis', 'rediss'], secret: true, doc: 'unset: the embedded store; e.g. `redis://127.0.0.1:6379/0`; a Cluster as comma-separated seeds' },
  { key: 'REDIS_PREFIX', kind: 'string', default: 'sr:', doc: 'namespace of every Redis key' },
  { key: 'DATA_DIR', kind: 'string', default: './data', doc: 'where the embedded store keeps its database and files' },
  { key: 'DATA_SYNC', kind: 'string', default: 'fsync', doc: '`fsync`: an acknowledged write survives a power cut; `os`: it survives the process dying, not the machine (faster)' },
  { key: 'QUEUE_SHARDS', kind: 'number', min: 1, default: '8', doc: 'Redis queue shards (the unit of work spread across processes)' },
  { key: 'DELIVERY_MAX_ATTEMPTS', kind: 'number', min: 1, default: '10', doc: 'tries before a delivery is dead-lettered' },
  { key: 'SHUTDOWN_TIMEOUT_MS', kind: 'number', min: 0, default: '10000', doc: 'how long a stop waits for deliveries in flight' },
  { key: 'LEASE_MS', kind: 'number', min: 50, default: '5000', doc: "how long a dead process's leases (queue shards, a platform's single connection) last, ms" },
  { key: 'PROCESS_ID', kind: 'string', doc: 'name of this process in Redis (default: host-pid-random)' },
  { key: 'COMMAND_WORD', kind: 'string', default: 'sameroom', doc: 'the word after `-` in commands' },
  { key: 'COMMAND_PERMISSIONS', kind: 'string', default: 'admins', doc: 'who may run the commands that change a room or reveal its log: `admins` (admins where the platform can tell, anyone where it cannot), `strict` (only admins the platform confirms), `members` (anyone)' },
  { key: 'MAX_ROOMS_PER_SAME_ROOM', kind: 'number', min: 0, default: '20', doc: 'at most this many rooms in one same room (at least 2); past it `connect` is refused' },
  { key: 'MAX_TUBES_PER_ROOM', kind: 'number', min: 0, default: '10', doc: 'at most this many links (tubes) per room (at least 1); past it `connect` is refused' },
  { key: 'CODE_TTL_MINUTES', kind: 'number', min: 1, default: '10', doc: 'how long an `open` code lives' },
  { key: 'MAX_FILE_MB', kind: 'number', min: 0, integer: false, default: '25', doc: 'largest file the bridge carries; bigger ones are named, not sent' },
  { key: 'CONTEXT_ON_CONNECT', kind: 'number', min: 0, max: 100, default: '20', doc: "when rooms connect, each is shown this many of the other side's recent messages (last 24 h, only what the bridge saw); 0 turns it off" },
  { key: 'LOG_LEVEL', kind: 'string', default: 'info', doc: 'pino level: `trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent`' },
  { key: 'LOG_FORMAT', kind: 'string', doc: '`json` or `pretty`; unset: readable lines when the output is a terminal, JSON lines otherwise' },
  { key: 'PRIVACY_FILE', kind: 'string', doc: 'plain-text file shown at `/privacy` (the Teams app links there; blank lines part paragraphs, `{{PUBLIC_URL}}` is replaced); unset: a short default' },
  { key: 'TERMS_FILE', kind: 'string', doc: 'plain-text file shown at `/terms`, like `PRIVACY_FILE`' },
  // Bounds on what strangers may make the bridge do (src/limits.ts), TRUST_PROXY among them.
  ...LIMITS_ENV,
];

/** The levels LOG_LEVEL accepts (pino's). */
export const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The core's configuration; throws ConfigErrors listing every bad key at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { values: v, errors } = parseEnv(CORE_ENV, env);
  const word = (v.str('COMMAND_WORD') ?? 'sameroom').toLowerCase();
  if (!/^[a-z][a-z0-9_]{1,31}$/.test(word)) errors.push(`COMMAND_WORD must be a word of letters and digits, got "${word.slice(0, 40)}"`);
  const sync = v.str('DATA_SYNC') ?? 'fsync';
  if (sync !== 'fsync' && sync !== 'os') errors.push(`DATA_SYNC must be fsync or os, got "${sync.slice(0, 40)}"`);
  const level = (v.str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(level)) errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level.slice(0, 40)}"`);
  const host = v.str('HOST') ?? '127.0.0.1';
  // Teams without an app id takes unauthenticated activities: only on this machine (tests, the emulator).
  if (env.TEAMS_ALLOW_UNAUTHENTICATED?.trim().toLowerCase() === 'true' && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
    errors.push(`TEAMS_ALLOW_UNAUTHENTICATED=true needs HOST on loopback (127.0.0.1), got "${host.slice(0, 40)}"`);
  }
  const limits = loadLimits(v, errors, (v.num('MAX_FILE_MB') ?? 25) * 1024 * 1024, join(v.str('DATA_DIR') ?? './data', 'files'));
  const perms = (v.str('COMMAND_PERMISSIONS') ?? 'admins').toLowerCase();
  if (!(PERMISSIONS as readonly string[]).includes(perms)) errors.push(`COMMAND_PERMISSIONS must be one of ${PERMISSIONS.join(', ')}, got "${perms.slice(0, 40)}"`);
  if (errors.length) throw new ConfigErrors(errors);
  const port = v.num('PORT') ?? 8080;
  const redisUrl = v.str('REDIS_URL');
  return {
    port,
    host,
    publicUrl: (v.str('PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    ...(redisUrl ? { redisUrl } : {}),
    dataDir: v.str('DATA_DIR') ?? './data',
    dataSync: sync === 'os' ? 'os' : 'fsync',
    commandWord: word,
    codeTtlMs: (v.num('CODE_TTL_MINUTES') ?? 10) * 60_000,
    maxFileBytes: (v.num('MAX_FILE_MB') ?? 25) * 1024 * 1024,
    contextOnConnect: v.num('CONTEXT_ON_CONNECT') ?? 20,
    logLevel: level,
    queueShards: v.num('QUEUE_SHARDS') ?? 8,
    deliveryMaxAttempts: v.num('DELIVERY_MAX_ATTEMPTS') ?? 10,
    leaseMs: v.num('LEASE_MS') ?? 5000,
    shutdownTimeoutMs: v.num('SHUTDOWN_TIMEOUT_MS') ?? 10_000,
    maxRoomsPerSameRoom: Math.max(2, v.num('MAX_ROOMS_PER_SAME_ROOM') ?? 20),
    maxTubesPerRoom: Math.max(1, v.num('MAX_TUBES_PER_ROOM') ?? 10),
    commandPermissions: perms as CommandPermissions,
    processId: v.str('PROCESS_ID') ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    keyPrefix: v.str('REDIS_PREFIX') ?? 'sr:',
    limits,
    env,
  };
}

/**
 * Values to scrub from logs and error messages: every key declared secret (by the core or a
 * platform), and, as a safety net, any key that looks like one.
 */
export function secretValues(env: NodeJS.ProcessEnv, declared: readonly EnvKey[] = CORE_ENV): string[] {
  const looksSecret = Object.entries(env)
    .filter(([k, v]) => /TOKEN|SECRET|PASSWORD|_KEY$/.test(k) && typeof v === 'string' && v.length >= 6)
    .map(([, v]) => v as string);
  return [...new Set([...secretsOf(declared, env), ...looksSecret])];
}
