/** Settings of the built-in web platform. It needs no credentials: it always runs. */
import type { Config } from '../../src/config.js';
import { parseEnv, type EnvValues } from '../../src/env.js';
import { ConfigErrors, type PlatformEnv } from '../../src/platform.js';
import type { Rate } from './ratelimit.js';

export interface WebConfig {
  /** longest message, in characters (`WEB_MAX_TEXT_LENGTH`, default 8000) */
  readonly maxTextLength: number;
  /** largest upload, in bytes (the bridge's `MAX_FILE_MB`) */
  readonly maxFileBytes: number;
  /** messages kept per room (older ones drop off) */
  readonly historyCap: number;
  /** messages a browser gets when it joins */
  readonly historyOnJoin: number;
  /** frames per WebSocket connection */
  readonly frameRate: Rate;
  /** room creations and uploads per client address */
  readonly httpRate: Rate;
  /** how long message records are kept */
  readonly messageTtlMs: number;
  /** WebSocket ping interval; a connection that missed one pong is dropped */
  readonly heartbeatMs: number;
}

export const WEB_DEFAULTS: Omit<WebConfig, 'maxFileBytes'> = {
  maxTextLength: 8000,
  historyCap: 500,
  historyOnJoin: 200,
  frameRate: { capacity: 20, perSecond: 5 },
  httpRate: { capacity: 30, perSecond: 1 },
  messageTtlMs: 90 * 24 * 3600_000,
  heartbeatMs: 30_000,
};

export const WEB_ENV: PlatformEnv = {
  enabledBy: [],
  env: [
    { key: 'WEB_MAX_TEXT_LENGTH', kind: 'number', min: 1, default: String(WEB_DEFAULTS.maxTextLength), doc: 'longest web message, in characters' },
    { key: 'WEB_HISTORY', kind: 'number', min: 1, default: String(WEB_DEFAULTS.historyCap), doc: 'messages kept per web room (newest; the browser gets up to 200 on join)' },
  ],
};

export function webConfig(v: EnvValues, config: Config): WebConfig {
  return {
    ...WEB_DEFAULTS,
    maxTextLength: v.num('WEB_MAX_TEXT_LENGTH') ?? WEB_DEFAULTS.maxTextLength,
    historyCap: v.num('WEB_HISTORY') ?? WEB_DEFAULTS.historyCap,
    maxFileBytes: config.maxFileBytes,
  };
}

/** Always a config: the web platform has no credentials to wait for. */
export function webConfigFromEnv(config: Config, env: NodeJS.ProcessEnv = config.env): WebConfig {
  const { values, errors } = parseEnv(WEB_ENV.env, env);
  if (errors.length) throw new ConfigErrors(errors);
  return webConfig(values, config);
}
