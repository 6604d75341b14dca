/** Configuration of the XMPP bot: one account, any number of multi-user chat rooms. */

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

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * XMPP_SERVICE, XMPP_USERNAME, XMPP_PASSWORD (required), XMPP_DOMAIN, XMPP_NICK,
 * XMPP_MUC_DOMAIN, XMPP_ROOMS (comma separated), XMPP_FILE_HOSTS (comma separated).
 */
export function xmppConfigFromEnv(env: NodeJS.ProcessEnv): XmppConfig | undefined {
  const service = env.XMPP_SERVICE?.trim();
  const username = env.XMPP_USERNAME?.trim();
  const password = env.XMPP_PASSWORD;
  if (!service && !username && !password) return undefined;
  if (!service || !username || !password) throw new Error('XMPP needs XMPP_SERVICE, XMPP_USERNAME and XMPP_PASSWORD');
  if (!/^(xmpps?|wss?):\/\//.test(service)) throw new Error(`XMPP_SERVICE: expected xmpp://host:port, got "${service}"`);
  return {
    service,
    domain: env.XMPP_DOMAIN?.trim() || undefined,
    username,
    password,
    nick: env.XMPP_NICK?.trim() || undefined,
    mucDomain: env.XMPP_MUC_DOMAIN?.trim() || undefined,
    rooms: list(env.XMPP_ROOMS),
    fileHosts: list(env.XMPP_FILE_HOSTS),
  };
}
