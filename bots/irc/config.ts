/** Configuration of the IRC bot: one entry per network, one connection each. */
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

function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v.trim())) return true;
  if (/^(0|false|no|off)$/i.test(v.trim())) return false;
  throw new Error(`IRC_TLS: expected true or false, got "${v}"`);
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * IRC_SERVER (required), IRC_PORT (default 6697 with TLS, 6667 without), IRC_TLS (default: on
 * unless IRC_PORT is 6667), IRC_NICK (default `sameroom`), IRC_SASL_USER, IRC_SASL_PASSWORD,
 * IRC_NICKSERV_PASSWORD, IRC_CHANNELS (optional, comma separated).
 */
export function ircConfigFromEnv(env: NodeJS.ProcessEnv): IrcConfig | undefined {
  const server = env.IRC_SERVER?.trim();
  if (!server) return undefined;
  const tlsEnv = parseBool(env.IRC_TLS);
  const port = env.IRC_PORT?.trim() ? Number(env.IRC_PORT) : tlsEnv === false ? 6667 : 6697;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`IRC_PORT: not a port: "${env.IRC_PORT}"`);
  const saslUser = env.IRC_SASL_USER?.trim() || undefined;
  const saslPassword = env.IRC_SASL_PASSWORD || undefined;
  if (saslUser && !saslPassword) throw new Error('IRC_SASL_USER is set but IRC_SASL_PASSWORD is not');
  return {
    networks: [
      {
        server,
        port,
        tls: tlsEnv ?? port !== 6667,
        nick: env.IRC_NICK?.trim() || 'sameroom',
        saslUser,
        saslPassword,
        nickservPassword: env.IRC_NICKSERV_PASSWORD || undefined,
        channels: list(env.IRC_CHANNELS),
      },
    ],
  };
}
