/** Rocket.Chat bot configuration, and its environment keys (declared once, read by the core's parser). */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface RocketChatConfig {
  /** Server URL, e.g. `https://chat.example.com` (ROCKETCHAT_URL). */
  readonly url: string;
  /** The bot user's id (ROCKETCHAT_USER_ID). */
  readonly userId: string;
  /** A personal access token or login token of that user (ROCKETCHAT_AUTH_TOKEN). */
  readonly authToken: string;
  /** Text limit; default 5000, Rocket.Chat's default `Message_MaxAllowedSize`. */
  readonly maxTextLength?: number;
  /** Upload limit; default 100 MiB, Rocket.Chat's default `FileUpload_MaxFileSize`. */
  readonly maxFileBytes?: number;
  /** First reconnect delay of the realtime connection. Default 1 s. */
  readonly retryMs?: number;
  /** Realtime ping interval. Default 30 s. */
  readonly pingMs?: number;
}

export const ROCKETCHAT_ENV: PlatformEnv = {
  enabledBy: ['ROCKETCHAT_URL', 'ROCKETCHAT_USER_ID', 'ROCKETCHAT_AUTH_TOKEN'],
  env: [
    { key: 'ROCKETCHAT_URL', kind: 'url', required: true, doc: 'server URL, e.g. `https://chat.example.com`' },
    { key: 'ROCKETCHAT_USER_ID', kind: 'string', required: true, doc: "the bot user's id" },
    { key: 'ROCKETCHAT_AUTH_TOKEN', kind: 'string', secret: true, required: true, doc: 'its personal access token' },
    { key: 'ROCKETCHAT_MAX_TEXT_LENGTH', kind: 'number', min: 1, doc: "optional: your server's `Message_MaxAllowedSize` when it is not the default 5000" },
    { key: 'ROCKETCHAT_MAX_FILE_MB', kind: 'number', min: 1, doc: "optional: your server's `FileUpload_MaxFileSize` in MB when it is not the default 100" },
  ],
};

export function rocketchatConfig(v: EnvValues): RocketChatConfig {
  const text = v.num('ROCKETCHAT_MAX_TEXT_LENGTH');
  const fileMb = v.num('ROCKETCHAT_MAX_FILE_MB');
  return {
    url: v.str('ROCKETCHAT_URL') ?? '',
    userId: v.str('ROCKETCHAT_USER_ID') ?? '',
    authToken: v.str('ROCKETCHAT_AUTH_TOKEN') ?? '',
    ...(text !== undefined ? { maxTextLength: text } : {}),
    ...(fileMb !== undefined ? { maxFileBytes: fileMb * 1024 * 1024 } : {}),
  };
}

export function rocketchatConfigFromEnv(env: NodeJS.ProcessEnv): RocketChatConfig | undefined {
  const v = readPlatformEnv(ROCKETCHAT_ENV, env);
  return v && rocketchatConfig(v);
}
