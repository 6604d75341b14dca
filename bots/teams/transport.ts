/**
 * Bot Framework plumbing on the Microsoft 365 Agents SDK: the bot's token (the SDK's MSAL token
 * provider, cached), connector clients for a conversation's `serviceUrl` (the SDK's
 * ConnectorClient, which does not retry: the bridge's delivery queue retries, and sees a 429's
 * Retry-After), and the messaging endpoint on the shared Fastify server.
 *
 * No CloudAdapter: its `process` asks Entra for a token before every inbound turn and answers
 * failed turns with messages into the chat, and its `continueConversation` needs an app id. The
 * bridge needs neither the turn pipeline nor those side effects.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Activity } from '@microsoft/agents-activity';
import { AuthType, ConnectorClient, MsalTokenProvider, type HttpRequestConfig } from '@microsoft/agents-hosting';
import { TeamsAuthError, type RequestVerifier } from './auth.js';
import type { TeamsConfig } from './config.js';

/** The scope of the bot's token for the Bot Framework connector. */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

/** The bot's bearer token for the connector; undefined without an app id (unauthenticated mode). */
export type TokenSource = () => Promise<string | undefined>;

export function botTokens(config: TeamsConfig): TokenSource {
  if (!config.appId) return async () => undefined;
  const provider = new MsalTokenProvider({
    authType: AuthType.ClientSecret,
    clientId: config.appId,
    clientSecret: config.appPassword ?? '',
    // Without a tenant the SDK uses the legacy multi-tenant authority (botframework.com).
    ...(config.tenantId ? { tenantId: config.tenantId } : {}),
  });
  return () => provider.getAccessToken(BOT_FRAMEWORK_SCOPE);
}

/** A connector client for one service URL, carrying the bot's token when it has one. */
export type ConnectorFactory = (serviceUrl: string) => Promise<ConnectorClient>;

/** How long a connector call may take: the SDK sets no limit, and a room's copies wait in line behind it. */
export const CONNECTOR_TIMEOUT_MS = 30_000;

export function connectorFactory(tokens: TokenSource, timeoutMs = CONNECTOR_TIMEOUT_MS): ConnectorFactory {
  return async (serviceUrl) => {
    const client = ConnectorClient.createClientWithToken(serviceUrl, (await tokens()) ?? '');
    // Every call of the client goes through this one method of its HttpClient.
    const http = client.httpClient;
    const request = http.request.bind(http);
    http.request = <T>(config: HttpRequestConfig) => request<T>({ timeout: timeoutMs, ...config });
    return client;
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(v: unknown, name: string): unknown {
  return isRecord(v) ? v[name] : undefined;
}

/**
 * The body without its empty strings: the SDK's activity schema refuses `""` wherever it wants a
 * string (`text`, `conversation.name`, an attachment's `name`, …), which Bot Framework channels
 * do send; an empty string means the same as an absent field here.
 */
export function withoutEmptyStrings(value: Record<string, unknown>): Record<string, unknown> {
  const clean = (v: unknown): unknown => (Array.isArray(v) ? v.map(clean) : isRecord(v) ? withoutEmptyStrings(v) : v);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== '') out[key] = clean(v);
  return out;
}

export type ActivityHandler = (activity: Activity) => Promise<void>;

export interface EndpointOptions {
  readonly path: string;
  /** Undefined: requests are not authenticated (TEAMS_ALLOW_UNAUTHENTICATED). */
  readonly verify: RequestVerifier | undefined;
  readonly onActivity: ActivityHandler;
  readonly running: () => boolean;
  readonly log: Logger;
}

/**
 * `POST path`, Bot Framework's messaging endpoint: authenticate, read the activity, hand it over.
 * 401 for a request not from Bot Framework, 400 for a body that is no activity, 500 when the
 * activity could not be taken (Bot Framework delivers it again), 200 once it is.
 */
export function registerEndpoint(http: FastifyInstance, opts: EndpointOptions): void {
  http.post(opts.path, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!opts.running()) return reply.code(503).send({ error: 'teams bot stopped' });
    const body = request.body;
    if (!isRecord(body)) return reply.code(400).send({ error: 'expected a JSON activity' });
    if (opts.verify) {
      try {
        await opts.verify(request.headers.authorization, { serviceUrl: body.serviceUrl, channelId: body.channelId });
      } catch (err) {
        if (!(err instanceof TeamsAuthError)) {
          opts.log.error({ err }, 'teams: cannot check request signatures (Bot Framework signing keys unavailable)');
          return reply.code(503).send({ error: 'cannot authenticate requests now' });
        }
        opts.log.warn({ reason: err.message, ip: request.ip }, 'teams: refused an unauthenticated request');
        return reply.code(401).send({ error: 'unauthorized' });
      }
    }
    let activity: Activity;
    try {
      activity = Activity.fromObject(withoutEmptyStrings(body));
    } catch (err) {
      const issues = field(err, 'issues');
      const at = Array.isArray(issues) ? issues.map((i) => (field(i, 'path') as unknown[] | undefined)?.join('.')).join(', ') : undefined;
      opts.log.warn({ invalid: at, type: typeof body.type === 'string' ? body.type.slice(0, 40) : undefined }, 'teams: refused a body that is no activity');
      return reply.code(400).send({ error: `not a Bot Framework activity${at ? ` (${at})` : ''}` });
    }
    if (!activity.conversation?.id) return reply.code(400).send({ error: 'activity without a conversation' });
    try {
      await opts.onActivity(activity);
    } catch {
      // onActivity logged it; the error's text stays here.
      return reply.code(500).send({ error: 'the activity could not be taken; retry' });
    }
    return reply.code(200).send();
  });
}
