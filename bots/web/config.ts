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
  /** messages kept per room (`WEB_HISTORY`, default 10,000; older ones drop off) */
  readonly historyCap: number;
  /** messages a browser gets when it joins, and per older page it asks for */
  readonly historyPage: number;
  /** frames per WebSocket connection */
  readonly frameRate: Rate;
  /** room creations and uploads per client address */
  readonly httpRate: Rate;
  /** how long message records are kept (`WEB_HISTORY_DAYS`, default 90) */
  readonly messageTtlMs: number;
  /** WebSocket ping interval; a connection that missed one pong is dropped */
  readonly heartbeatMs: number;
}

const DAY_MS = 24 * 3600_000;

export const WEB_DEFAULTS: Omit<WebConfig, 'maxFileBytes'> = {
  maxTextLength: 8000,
  historyCap: 10_000,
  historyPage: 100,
  frameRate: { capacity: 20, perSecond: 5 },
  httpRate: { capacity: 30, perSecond: 1 },
  messageTtlMs: 90 * DAY_MS,
  heartbeatMs: 30_000,
};

export const WEB_ENV: PlatformEnv = {
  enabledBy: [],
  env: [
    { key: 'WEB_MAX_TEXT_LENGTH', kind: 'number', min: 1, default: String(WEB_DEFAULTS.maxTextLength), doc: 'longest web message, in characters' },
    { key: 'WEB_HISTORY', kind: 'number', min: 1, default: String(WEB_DEFAULTS.historyCap), doc: 'messages kept per web room (older ones drop off; browsers load them in pages of 100 as people scroll up)' },
    { key: 'WEB_HISTORY_DAYS', kind: 'number', min: 1, default: String(WEB_DEFAULTS.messageTtlMs / DAY_MS), doc: 'days a web message is kept' },
  ],
};

export function webConfig(v: EnvValues, config: Config): WebConfig {
  return {
    ...WEB_DEFAULTS,
    maxTextLength: v.num('WEB_MAX_TEXT_LENGTH') ?? WEB_DEFAULTS.maxTextLength,
    historyCap: v.num('WEB_HISTORY') ?? WEB_DEFAULTS.historyCap,
    messageTtlMs: (v.num('WEB_HISTORY_DAYS') ?? WEB_DEFAULTS.messageTtlMs / DAY_MS) * DAY_MS,
    maxFileBytes: config.maxFileBytes,
  };
}

/** Always a config: the web platform has no credentials to wait for. */
export function webConfigFromEnv(config: Config, env: NodeJS.ProcessEnv = config.env): WebConfig {
  const { values, errors } = parseEnv(WEB_ENV.env, env);
  if (errors.length) throw new ConfigErrors(errors);
  return webConfig(values, config);
}
