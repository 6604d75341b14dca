/**
 * A fake Bot Framework connector service for Teams (the `serviceUrl` a bot posts to), on
 * 127.0.0.1. The Agents SDK's real ConnectorClient talks to it unmodified. Typed with the Agents
 * SDK's activity and connector types, which describe the same Bot Framework connector protocol.
 *
 *   POST   /v3/conversations                                   create a conversation
 *   POST   /v3/conversations/{id}/activities                   send
 *   POST   /v3/conversations/{id}/activities/{replyToId}       reply
 *   PUT    /v3/conversations/{id}/activities/{activityId}      update
 *   DELETE /v3/conversations/{id}/activities/{activityId}      delete
 *   GET    /v3/teams/{teamId}, /v3/teams/{teamId}/conversations  team details, channel list
 *
 * It enforces what Teams does where a bridge could get it wrong: unknown conversation or
 * activity ids → 404 (`ConversationNotFound` / `ActivityNotFoundInConversation`), bodies over
 * 28 KB → 413 `MessageSizeTooBig`, a message without text or attachments → 400, and, when the
 * fake plays an authenticated bot's channel, a missing bearer token → 401. Failures on demand:
 * `failNext(op, { status: 429, retryAfter: 2 })`. Channel thread conversation ids
 * (`…;messageid=ROOT`) address the channel with ROOT as the thread.
 *
 * It also serves the OpenID metadata + signing keys for inbound JWTs (see jwt.ts), images
 * hosted by the connector (`/v3/attachments/{id}/views/original`, bearer token required when
 * authenticated) and pre-authenticated file download URLs (which must NOT get a bearer token).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Activity, ConversationParameters } from '@microsoft/agents-activity';
import type { ConversationResourceResponse, ResourceResponse } from '@microsoft/agents-hosting';
import type { ChannelInfo, TeamDetails } from '@microsoft/agents-hosting-extensions-teams';
import { SigningKey } from './jwt.js';

export type ConnectorOp = 'create' | 'send' | 'reply' | 'update' | 'delete';
export type ConversationKind = 'channel' | 'groupChat' | 'personal';

export interface FakeConversation {
  readonly id: string;
  readonly kind: ConversationKind;
  readonly tenantId: string;
  readonly teamId?: string;
  readonly teamName?: string;
  readonly name?: string;
  /** Every message in the conversation by id, with its thread root (channels) and state. */
  readonly messages: Map<string, { activity: Partial<Activity>; root?: string; deleted: boolean; byBot: boolean }>;
}

/** One call the bot made, as the fake understood it. */
export interface ConnectorCall {
  readonly op: ConnectorOp;
  /** Conversation id as the bot addressed it (decoded), thread suffix included. */
  readonly conversationId: string;
  readonly activityId?: string;
  readonly activity?: Partial<Activity>;
  readonly authorization?: string;
  readonly id?: string; // assigned by the fake (send/reply/create)
}

export interface Failure {
  readonly status: number;
  readonly retryAfter?: number;
  readonly code?: string;
  /** Never answer (until the fake closes, or the client gives up). */
  readonly hang?: boolean;
}

export const MAX_BODY_BYTES = 28 * 1024;

/** The connector's error body (Bot Framework REST `ErrorResponse`; the Agents SDK has no type for it). */
interface ErrorResponse {
  readonly error: { readonly code: string; readonly message: string; readonly innerHttpError?: { readonly statusCode: number; readonly body: unknown } };
}

/** `GET /v3/teams/{id}/conversations` (Bot Framework REST `ConversationList`). */
interface ConversationList {
  readonly conversations: ChannelInfo[];
}

function prop(v: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? Reflect.get(o, k) : undefined), v);
}

export class FakeTeamsConnector {
  readonly conversations = new Map<string, FakeConversation>();
  readonly calls: ConnectorCall[] = []; // successful calls, in order
  requests = 0; // every request to the /v3 API, failed ones included
  readonly signingKey = new SigningKey(['msteams']);
  private readonly failures = new Map<ConnectorOp, Failure[]>();
  private readonly hung: FastifyReply[] = [];
  private readonly images = new Map<string, Uint8Array>();
  private readonly files = new Map<string, { bytes: Uint8Array; tempauth: string }>();
  private lastId = Date.now();
  private base = '';

  private constructor(
    private readonly http: FastifyInstance,
    /** When set, the bot is authenticated: the fake requires bearer tokens and signs what it delivers. */
    readonly appId: string,
  ) {}

  static async start(opts: { appId?: string } = {}): Promise<FakeTeamsConnector> {
    const http = Fastify({ bodyLimit: 10 * MAX_BODY_BYTES });
    const fake = new FakeTeamsConnector(http, opts.appId ?? '');
    fake.routes();
    fake.base = await http.listen({ port: 0, host: '127.0.0.1' });
    return fake;
  }

  /** The service URL (with the trailing slash Teams uses). */
  get url(): string {
    return `${this.base}/`;
  }

  get openIdMetadataUrl(): string {
    return `${this.base}/v1/.well-known/openidconfiguration`;
  }

  /** Message ids look like Teams': millisecond timestamps, unique per fake. */
  nextId(): string {
    this.lastId = Math.max(this.lastId + 1, Date.now());
    return String(this.lastId);
  }

  addConversation(conv: Omit<FakeConversation, 'messages'>): FakeConversation {
    const full: FakeConversation = { ...conv, messages: new Map() };
    this.conversations.set(conv.id, full);
    return full;
  }

  /** Make the next call(s) of `op` fail with this status (and Retry-After seconds). */
  failNext(op: ConnectorOp, failure: Failure, times = 1): void {
    const list = this.failures.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(op, list);
  }

  /** Host an image like Teams does for pasted images; returns its contentUrl. */
  addImage(bytes: Uint8Array): string {
    const id = randomUUID();
    this.images.set(id, bytes);
    return `${this.base}/v3/attachments/${id}/views/original`;
  }

  /** Host a file behind a pre-authenticated download URL, as SharePoint does for shared files. */
  addFile(bytes: Uint8Array): string {
    const id = randomUUID();
    const tempauth = randomUUID();
    this.files.set(id, { bytes, tempauth });
    return `${this.base}/files/${id}?tempauth=${tempauth}`;
  }

  /** Live (not deleted) messages of a conversation, in order. */
  live(conversationId: string): Partial<Activity>[] {
    return [...(this.conversations.get(conversationId)?.messages.values() ?? [])].filter((m) => !m.deleted).map((m) => m.activity);
  }

  private authorized(request: FastifyRequest): boolean {
    return !this.appId || /^Bearer \S+$/.test(request.headers.authorization ?? '');
  }

  async close(): Promise<void> {
    for (const reply of this.hung.splice(0)) if (!reply.sent) reply.code(503).send();
    await this.http.close();
  }

  private fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
    const body: ErrorResponse = { error: { code, message, innerHttpError: { statusCode: status, body: null } } };
    return reply.code(status).send(body);
  }

  /** Common checks for /v3 calls; returns the reply when the request was refused. */
  private gate(op: ConnectorOp, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    this.requests++;
    if (!this.authorized(request)) return this.fail(reply, 401, 'Unauthorized', 'Authorization has been denied for this request.');
    const failure = this.failures.get(op)?.shift();
    if (failure?.hang) {
      this.hung.push(reply);
      return reply;
    }
    if (failure) {
      if (failure.retryAfter !== undefined) reply.header('retry-after', String(failure.retryAfter));
      const code = failure.code ?? (failure.status === 429 ? 'Throttled' : failure.status >= 500 ? 'ServiceError' : 'BadArgument');
      return this.fail(reply, failure.status, code, `injected ${failure.status}`);
    }
    const raw = request.headers['content-length'];
    if (raw && Number(raw) > MAX_BODY_BYTES) return this.fail(reply, 413, 'MessageSizeTooBig', 'Message size too large.');
    return undefined;
  }

  private resolve(conversationId: string): { conv?: FakeConversation; root?: string } {
    const at = conversationId.indexOf(';messageid=');
    const base = at < 0 ? conversationId : conversationId.slice(0, at);
    const root = at < 0 ? undefined : conversationId.slice(at + ';messageid='.length);
    const conv = this.conversations.get(base);
    if (root && conv?.kind !== 'channel') return {};
    return { conv, ...(root ? { root } : {}) };
  }

  private invalidMessage(activity: Partial<Activity>): string | undefined {
    if (activity.type !== 'message') return `activity type must be 'message', got ${String(activity.type)}`;
    if (!activity.text && !(activity.attachments ?? []).length) return 'message has neither text nor attachments';
    return undefined;
  }

  /** Store a message (posted by the bot, or by a user through the sender); `root` puts it in a channel thread. */
  record(conv: FakeConversation, activity: Partial<Activity>, root: string | undefined, byBot: boolean): string {
    const id = activity.id ?? this.nextId();
    conv.messages.set(id, { activity: { ...activity, id }, ...(root && root !== id ? { root } : {}), deleted: false, byBot });
    return id;
  }

  private routes(): void {
    const h = this.http;
    // The SDK's client sends DELETE with `Content-Type: application/json` and no body, which the
    // connector accepts (Fastify's own parser would answer 400).
    h.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      if (body === '') return done(null, undefined);
      try {
        done(null, JSON.parse(String(body)));
      } catch (err) {
        done(err instanceof Error ? Object.assign(err, { statusCode: 400 }) : new Error('invalid JSON'), undefined);
      }
    });
    type Params = { conversationId: string; activityId?: string };
    h.post('/v3/conversations', async (request, reply) => {
      const refused = this.gate('create', request, reply);
      if (refused) return refused;
      const params = request.body as Partial<ConversationParameters>;
      const channelId = prop(params.channelData, 'channel', 'id');
      const tenant = prop(params.channelData, 'tenant', 'id');
      const tenantId = params.tenantId ?? (typeof tenant === 'string' ? tenant : 'tenant');
      let conv: FakeConversation | undefined;
      if (typeof channelId === 'string') conv = this.conversations.get(channelId);
      else if (params.members?.length === 1 && params.members[0]) conv = this.addConversation({ id: `a:${randomUUID()}`, kind: 'personal', tenantId });
      if (!conv) return this.fail(reply, 404, 'ConversationNotFound', 'Conversation not found.');
      const res: ConversationResourceResponse = { id: conv.id, activityId: '', serviceUrl: this.url };
      if (params.activity) {
        res.activityId = this.record(conv, params.activity, undefined, true);
        if (conv.kind === 'channel') res.id = `${conv.id};messageid=${res.activityId}`;
      }
      this.calls.push({ op: 'create', conversationId: conv.id, ...(params.activity ? { activity: params.activity } : {}), id: res.activityId });
      return reply.code(201).send(res);
    });
    const post = async (op: 'send' | 'reply', request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<FastifyReply> => {
      const refused = this.gate(op, request, reply);
      if (refused) return refused;
      const { conversationId, activityId } = request.params;
      const { conv, root } = this.resolve(conversationId);
      if (!conv) return this.fail(reply, 404, 'ConversationNotFound', 'Conversation not found.');
      if (activityId !== undefined && !conv.messages.has(activityId)) return this.fail(reply, 404, 'ActivityNotFoundInConversation', 'Activity not found.');
      const activity = request.body as Partial<Activity>;
      const invalid = this.invalidMessage(activity);
      if (invalid) return this.fail(reply, 400, 'BadArgument', invalid);
      // In a channel, a reply joins the thread of the message it answers (threads are one level deep).
      const target = activityId !== undefined ? conv.messages.get(activityId) : undefined;
      const threadRoot = conv.kind === 'channel' ? (root ?? (activityId !== undefined ? (target?.root ?? activityId) : undefined)) : undefined;
      const id = this.record(conv, { ...activity, id: undefined }, threadRoot, true);
      const authorization = request.headers.authorization;
      this.calls.push({ op, conversationId, ...(activityId !== undefined ? { activityId } : {}), activity, id, ...(authorization ? { authorization } : {}) });
      const res: ResourceResponse = { id };
      return reply.code(201).send(res);
    };
    h.post<{ Params: Params }>('/v3/conversations/:conversationId/activities', (request, reply) => post('send', request, reply));
    h.post<{ Params: Params }>('/v3/conversations/:conversationId/activities/:activityId', (request, reply) => post('reply', request, reply));
    const existing = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): { conv: FakeConversation; id: string } | FastifyReply => {
      const { conv } = this.resolve(request.params.conversationId);
      const id = request.params.activityId ?? '';
      if (!conv) return this.fail(reply, 404, 'ConversationNotFound', 'Conversation not found.');
      const entry = conv.messages.get(id);
      if (!entry || entry.deleted) return this.fail(reply, 404, 'ActivityNotFoundInConversation', 'Activity not found.');
      // Teams: a bot can't update or delete messages sent by users.
      if (!entry.byBot) return this.fail(reply, 403, 'NotEnoughPermissions', 'The bot can only change its own messages.');
      return { conv, id };
    };
    h.put<{ Params: Params }>('/v3/conversations/:conversationId/activities/:activityId', async (request, reply) => {
      const refused = this.gate('update', request, reply);
      if (refused) return refused;
      const found = existing(request, reply);
      if (!('conv' in found)) return found;
      const activity = request.body as Partial<Activity>;
      const invalid = this.invalidMessage(activity);
      if (invalid) return this.fail(reply, 400, 'BadArgument', invalid);
      const entry = found.conv.messages.get(found.id);
      if (entry) entry.activity = { ...entry.activity, ...activity, id: found.id };
      this.calls.push({ op: 'update', conversationId: request.params.conversationId, activityId: found.id, activity });
      const res: ResourceResponse = { id: found.id };
      return reply.code(200).send(res);
    });
    h.delete<{ Params: Params }>('/v3/conversations/:conversationId/activities/:activityId', async (request, reply) => {
      const refused = this.gate('delete', request, reply);
      if (refused) return refused;
      const found = existing(request, reply);
      if (!('conv' in found)) return found;
      const entry = found.conv.messages.get(found.id);
      if (entry) entry.deleted = true;
      this.calls.push({ op: 'delete', conversationId: request.params.conversationId, activityId: found.id });
      return reply.code(200).send();
    });
    const team = (teamId: string): FakeConversation[] => [...this.conversations.values()].filter((c) => c.teamId === teamId);
    h.get<{ Params: { teamId: string } }>('/v3/teams/:teamId', async (request, reply) => {
      this.requests++;
      const [first] = team(request.params.teamId);
      if (!first) return this.fail(reply, 404, 'NotFound', 'Team not found.');
      const details: TeamDetails = { id: request.params.teamId, name: first.teamName ?? 'Team', aadGroupId: randomUUID() };
      return details;
    });
    h.get<{ Params: { teamId: string } }>('/v3/teams/:teamId/conversations', async (request, reply) => {
      this.requests++;
      const channels = team(request.params.teamId);
      if (!channels.length) return this.fail(reply, 404, 'NotFound', 'Team not found.');
      // As in Teams, the General channel (id = team id) comes without a name.
      const list: ConversationList = { conversations: channels.map((c) => (c.id === c.teamId ? { id: c.id } : { id: c.id, name: c.name ?? '' })) };
      return list;
    });
    h.get('/v1/.well-known/openidconfiguration', async () => ({
      issuer: 'https://api.botframework.com',
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${this.base}/v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    }));
    h.get('/v1/.well-known/keys', async () => ({ keys: [this.signingKey.jwk()] }));
    h.get<{ Params: { id: string } }>('/v3/attachments/:id/views/:view', async (request, reply) => {
      if (!this.authorized(request)) return this.fail(reply, 401, 'Unauthorized', 'Authorization has been denied for this request.');
      const bytes = this.images.get(request.params.id);
      if (!bytes) return this.fail(reply, 404, 'NotFound', 'Attachment not found.');
      return reply.type('application/octet-stream').send(Buffer.from(bytes));
    });
    h.get<{ Params: { id: string }; Querystring: { tempauth?: string } }>('/files/:id', async (request, reply) => {
      const file = this.files.get(request.params.id);
      // A pre-authenticated URL: a bearer token sent here would leak the bot's credentials.
      if (request.headers.authorization) return reply.code(400).send({ error: 'unexpected Authorization header' });
      if (!file || request.query.tempauth !== file.tempauth) return reply.code(401).send({ error: 'invalid tempauth' });
      return reply.type('application/octet-stream').send(Buffer.from(file.bytes));
    });
  }
}
