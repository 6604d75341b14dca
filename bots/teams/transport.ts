/**
 * Bot Framework plumbing: the CloudAdapter with the SDK's own retries removed (the bridge's
 * delivery queue retries, and must see a 429's Retry-After), the Fastify ↔ express-like request
 * bridge for `adapter.process`, and access to the turn's connector client.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import { CallerIdConstants } from 'botframework-schema';
import type { TeamsConfig } from './config.js';

type Auth = ConfigurationBotFrameworkAuthentication;
type ConnectorFactory = ReturnType<Auth['createConnectorFactory']>;
type AuthenticateRequestResult = Awaited<ReturnType<Auth['authenticateRequest']>>;
export type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Remove the retry phase (exponential + throttling retries, which sleep through a 429's
 * Retry-After) from a connector client's HTTP pipeline. The pipeline is an internal of the
 * SDK's compat layer; test/teams/outbound.test.ts proves a 429 reaches us after ONE request.
 */
function withoutRetries(client: ConnectorClient): ConnectorClient {
  const inner: unknown = Reflect.get(client, 'client');
  const pipeline: unknown = isRecord(inner) ? inner.pipeline : undefined;
  if (!isRecord(pipeline) || typeof pipeline.removePolicy !== 'function') {
    throw new Error('teams: botbuilder connector client has no HTTP pipeline to remove retries from (SDK changed?)');
  }
  pipeline.removePolicy({ phase: 'Retry' });
  return client;
}

function noRetryFactory(factory: ConnectorFactory): ConnectorFactory {
  return { create: async (serviceUrl, audience) => withoutRetries(await factory.create(serviceUrl, audience)) };
}

/** ConfigurationBotFrameworkAuthentication whose connector clients do not retry. */
class NoRetryAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(...args: Parameters<Auth['authenticateRequest']>): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(...args);
    return result.connectorFactory ? { ...result, connectorFactory: noRetryFactory(result.connectorFactory) } : result;
  }

  override createConnectorFactory(...args: Parameters<Auth['createConnectorFactory']>): ConnectorFactory {
    return noRetryFactory(super.createConnectorFactory(...args));
  }
}

/**
 * Bot Framework's public-cloud endpoints (botframework-connector AuthenticationConstants). The SDK
 * takes either none of these or all of them, so overriding the OpenID metadata URL means
 * passing the rest explicitly.
 */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: CallerIdConstants.PublicAzureChannel,
  ValidateAuthority: true,
};

export function createAdapter(config: TeamsConfig): CloudAdapter {
  const auth = new NoRetryAuthentication({
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword ?? '',
    MicrosoftAppType: config.tenantId ? 'SingleTenant' : 'MultiTenant',
    MicrosoftAppTenantId: config.tenantId ?? '',
    ...(config.openIdMetadataUrl ? { ...PUBLIC_CLOUD, ToBotFromChannelOpenIdMetadataUrl: config.openIdMetadataUrl } : {}),
  });
  return new CloudAdapter(auth);
}

/** The connector client of a turn (proactive or inbound): where `conversations.*` calls go. */
export function connectorOf(adapter: CloudAdapter, context: TurnContext): ConnectorClient {
  const client: unknown = context.turnState.get(adapter.ConnectorClientKey);
  if (!isRecord(client) || !isRecord(client.conversations)) throw new Error('teams: no connector client in the turn');
  return client as unknown as ConnectorClient;
}

/**
 * A function that returns the bot's bearer token for the turn's service (undefined without an
 * app id), to download attachments the connector hosts. Called later, outside the turn.
 */
export function tokenSource(adapter: CloudAdapter, context: TurnContext): () => Promise<string | undefined> {
  const creds: unknown = connectorOf(adapter, context).credentials;
  return async () => {
    if (!isRecord(creds) || typeof creds.appId !== 'string' || !creds.appId || typeof creds.getToken !== 'function') return undefined;
    const token: unknown = await (creds.getToken as () => Promise<unknown>).call(creds);
    return typeof token === 'string' && token ? token : undefined;
  };
}

/** The express-like response `adapter.process` writes to, collected for Fastify's reply. */
class CollectedResponse {
  readonly socket = null;
  statusCode = 200;
  body: unknown = undefined;
  readonly headers: Record<string, string> = {};
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  header(name: string, value: unknown): this {
    this.headers[name] = String(value);
    return this;
  }
  send(body?: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    return this;
  }
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

/** Register `POST path` (Bot Framework's messaging endpoint) on the shared Fastify server. */
export function registerEndpoint(http: FastifyInstance, path: string, adapter: CloudAdapter, logic: TurnLogic, running: () => boolean): void {
  http.post(path, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!running()) return reply.code(503).send({ error: 'teams bot stopped' });
    if (!isRecord(request.body)) return reply.code(400).send({ error: 'expected a JSON activity' });
    const res = new CollectedResponse();
    await adapter.process({ body: request.body, headers: request.headers, method: request.method }, res, logic);
    for (const [name, value] of Object.entries(res.headers)) reply.header(name, value);
    reply.code(res.statusCode);
    return res.body === undefined ? reply.send() : reply.send(res.body);
  });
}
