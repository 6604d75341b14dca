/** Matrix bot configuration, and its environment keys (declared once, read by the core's parser). */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface MatrixConfig {
  /** e.g. `https://matrix.org` (MATRIX_HOMESERVER_URL). */
  readonly homeserverUrl: string;
  /** The bot account's access token (MATRIX_ACCESS_TOKEN). */
  readonly accessToken: string;
  /** `@bot:example.org` (MATRIX_USER_ID); asked with /whoami when unset. */
  readonly userId?: string;
  /** Long-poll timeout of /sync. Default 30 s. */
  readonly syncTimeoutMs?: number;
  /** First retry delay after a failed sync. Default 1 s. */
  readonly retryMs?: number;
  /** Upload limit when the homeserver does not say (`/media/config`). Default 50 MiB. */
  readonly maxFileBytes?: number;
}

export const MATRIX_ENV: PlatformEnv = {
  enabledBy: ['MATRIX_HOMESERVER_URL', 'MATRIX_ACCESS_TOKEN'],
  env: [
    { key: 'MATRIX_HOMESERVER_URL', kind: 'url', required: true, doc: 'client-server base URL, e.g. `https://matrix.org` (what `.well-known/matrix/client` names)' },
    { key: 'MATRIX_ACCESS_TOKEN', kind: 'string', secret: true, required: true, doc: "the bot's access token" },
    { key: 'MATRIX_USER_ID', kind: 'string', doc: '`@sameroom:example.org`; asked with `/whoami` when unset' },
  ],
};

export function matrixConfig(v: EnvValues): MatrixConfig {
  const userId = v.str('MATRIX_USER_ID');
  return { homeserverUrl: v.str('MATRIX_HOMESERVER_URL') ?? '', accessToken: v.str('MATRIX_ACCESS_TOKEN') ?? '', ...(userId ? { userId } : {}) };
}

export function matrixConfigFromEnv(env: NodeJS.ProcessEnv): MatrixConfig | undefined {
  const v = readPlatformEnv(MATRIX_ENV, env);
  return v && matrixConfig(v);
}
