/** Configuration of the XMPP bot: one account, any number of multi-user chat rooms. */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface XmppConfig {
  /** `xmpp://host:5222` (STARTTLS when offered), `xmpps://host:5223`, or a `wss://` URL. */
  readonly service: string;
  /** The account's domain (defaults to the service's host name). */
  readonly domain?: string;
  readonly username: string;
  readonly password: string;
  /** Nick in rooms (default `sameroom`). */
  readonly nick?: string;
  /** Default MUC service, for room names given without a domain (e.g. in `rooms`). */
  readonly mucDomain?: string;
  /** Rooms to join at start besides the ones the bot was invited to. */
  readonly rooms?: readonly string[];
  /** Hosts (`host` or `host:port`) whose file links are downloaded and re-hosted; the domain and its subdomains always are. */
  readonly fileHosts?: readonly string[];
  /** Reconnect backoff (ms): base doubles per failed attempt up to max. Default 1 s … 5 min. */
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  /** How long send() waits for the room to echo a message before assuming it went out (default 10 s). */
  readonly confirmTimeoutMs?: number;
  /** Characters per copy (default 10000). */
  readonly maxTextLength?: number;
}

export const XMPP_ENV: PlatformEnv = {
  enabledBy: ['XMPP_SERVICE', 'XMPP_USERNAME', 'XMPP_PASSWORD'],
  env: [
    { key: 'XMPP_SERVICE', kind: 'url', schemes: ['xmpp', 'xmpps', 'ws', 'wss'], required: true, doc: '`xmpp://host:5222` (STARTTLS when offered), `xmpps://host:5223` or `wss://…`' },
    { key: 'XMPP_DOMAIN', kind: 'string', doc: "the account's domain, when it differs from the service's host" },
    { key: 'XMPP_USERNAME', kind: 'string', required: true, doc: "the bot's account (`bridge` or `bridge@example.org`)" },
    { key: 'XMPP_PASSWORD', kind: 'string', secret: true, required: true, doc: "that account's password" },
    { key: 'XMPP_NICK', kind: 'string', default: 'sameroom', doc: 'nick in rooms (`sameroom_` if taken)' },
    { key: 'XMPP_MUC_DOMAIN', kind: 'string', doc: 'room service for room names given without a domain' },
    { key: 'XMPP_ROOMS', kind: 'list', doc: 'comma separated rooms to join at start (`lobby` or `lobby@conference.example.org`)' },
    { key: 'XMPP_FILE_HOSTS', kind: 'list', doc: 'extra hosts whose file links the bridge downloads and re-hosts (the domain and its subdomains always)' },
  ],
};

export function xmppConfig(v: EnvValues): XmppConfig {
  return {
    service: v.str('XMPP_SERVICE') ?? '',
    domain: v.str('XMPP_DOMAIN'),
    username: v.str('XMPP_USERNAME') ?? '',
    password: v.str('XMPP_PASSWORD') ?? '',
    nick: v.isSet('XMPP_NICK') ? v.str('XMPP_NICK') : undefined,
    mucDomain: v.str('XMPP_MUC_DOMAIN'),
    rooms: [...v.list('XMPP_ROOMS')],
    fileHosts: [...v.list('XMPP_FILE_HOSTS')],
  };
}

/** `undefined` when none of service, username, password is set; an error naming each missing or bad key otherwise. */
export function xmppConfigFromEnv(env: NodeJS.ProcessEnv): XmppConfig | undefined {
  const v = readPlatformEnv(XMPP_ENV, env);
  return v && xmppConfig(v);
}
