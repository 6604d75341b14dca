/** Configuration of the IRC bot: one entry per network, one connection each. */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';
import type { PaceOptions } from './pacer.js';

export interface IrcNetworkConfig {
  /** Server host name; also the room's workspace. */
  readonly server: string;
  readonly port: number;
  readonly tls: boolean;
  /** Verify the server's TLS certificate (default true). */
  readonly rejectUnauthorized?: boolean;
  readonly nick: string;
  readonly username?: string;
  readonly realname?: string;
  /** SASL PLAIN account and password (preferred over NickServ). */
  readonly saslUser?: string;
  readonly saslPassword?: string;
  /** Sent as `PRIVMSG NickServ :IDENTIFY <password>` after registration when SASL is not used. */
  readonly nickservPassword?: string;
  /** Channels to join at start besides the ones the bot was invited to. */
  readonly channels?: readonly string[];
}

export interface IrcConfig {
  readonly networks: readonly IrcNetworkConfig[];
  /** Flood-safe sending, per connection. Default: bursts of 4, then one line every 1.5 s. */
  readonly pace?: PaceOptions;
  /** Reconnect backoff: base doubles each failed attempt up to max (ms). Default 2 s … 5 min. */
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  /** Characters per copy the core fits messages to (default 400). */
  readonly maxTextLength?: number;
}

export const DEFAULT_PACE: PaceOptions = { burst: 4, intervalMs: 1500 };
export const DEFAULT_RECONNECT = { baseMs: 2000, maxMs: 300_000 };

export const IRC_ENV: PlatformEnv = {
  enabledBy: ['IRC_SERVER'],
  env: [
    { key: 'IRC_SERVER', kind: 'string', required: true, doc: "server host name; the bot starts when it is set (it is also the room's workspace)" },
    { key: 'IRC_PORT', kind: 'number', min: 1, max: 65535, doc: 'default 6697, or 6667 with `IRC_TLS=false`' },
    { key: 'IRC_TLS', kind: 'boolean', doc: 'TLS with certificate verification; default on, unless `IRC_PORT=6667`' },
    { key: 'IRC_NICK', kind: 'string', default: 'sameroom', doc: 'if taken at connect time the bot uses `sameroom_`' },
    { key: 'IRC_SASL_USER', kind: 'string', doc: 'SASL PLAIN login (preferred); a failed login at start stops the bot' },
    { key: 'IRC_SASL_PASSWORD', kind: 'string', secret: true, doc: 'password of `IRC_SASL_USER`' },
    { key: 'IRC_NICKSERV_PASSWORD', kind: 'string', secret: true, doc: 'sent as `IDENTIFY` to NickServ after connecting (when SASL is not used)' },
    { key: 'IRC_CHANNELS', kind: 'list', doc: 'comma separated channels to join at start; the bot also joins channels it is invited to' },
  ],
};

/** IRC_PORT defaults to 6697 with TLS, 6667 without; IRC_TLS defaults to on unless the port is 6667. */
export function ircConfig(v: EnvValues): IrcConfig {
  const tlsEnv = v.bool('IRC_TLS');
  const port = v.num('IRC_PORT') ?? (tlsEnv === false ? 6667 : 6697);
  const saslUser = v.str('IRC_SASL_USER');
  const saslPassword = v.str('IRC_SASL_PASSWORD');
  if (saslUser && !saslPassword) throw new Error('IRC_SASL_USER is set but IRC_SASL_PASSWORD is not');
  return {
    networks: [
      {
        server: v.str('IRC_SERVER') ?? '',
        port,
        tls: tlsEnv ?? port !== 6667,
        nick: v.str('IRC_NICK') ?? 'sameroom',
        saslUser,
        saslPassword,
        nickservPassword: v.str('IRC_NICKSERV_PASSWORD'),
        channels: [...v.list('IRC_CHANNELS')],
      },
    ],
  };
}

export function ircConfigFromEnv(env: NodeJS.ProcessEnv): IrcConfig | undefined {
  const v = readPlatformEnv(IRC_ENV, env);
  return v && ircConfig(v);
}
