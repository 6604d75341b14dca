/**
 * A local fake of Slack on 127.0.0.1 that the real @slack/bolt / @slack/web-api run against:
 * Web API (`/api/<method>`), the v2 upload URL, `url_private` file downloads, the Socket Mode
 * WebSocket, and a sender of signed Events API requests to the bridge.
 *
 * Enforces: bearer token (not_authed / invalid_auth / not_allowed_token_type), text ≤ 40 000
 * (msg_too_long), edits and deletes only of the bot's own messages, completing an upload only
 * after its bytes arrived, url_private only with the bot token, single-use Socket Mode tickets.
 * Tests queue failures with `failNext(method, {status: 429, retryAfter})` etc.
 */
import type { SlashCommand } from '@slack/bolt';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { deliver, EventFactory, type DeliveryOptions, type DeliveryResult } from './events.js';
import { hostFile, registerFiles } from './files.js';
import { SocketModeServer, type Ack, type EnvelopeOptions } from './socket.js';
import { SlackState, type ChannelKind, type Failure, type FakeUser, type SlackFileObject } from './state.js';
import { registerWebApi } from './web-api.js';

export type { DeliveryOptions, DeliveryResult } from './events.js';
export type { Ack, EnvelopeOptions } from './socket.js';
export type { CompleteRecord, Failure, PostRecord, SlackFileObject, StoredMessage } from './state.js';

export interface FakeSlackOptions {
  readonly botToken?: string;
  readonly appToken?: string;
  readonly signingSecret?: string;
  /** files.completeUploadExternal replies with the message ts in `shares` (default false, like Slack often). */
  readonly sharesInComplete?: boolean;
}

export class FakeSlack {
  readonly state = new SlackState();
  readonly events: EventFactory;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  sharesInComplete: boolean;
  private readonly http: FastifyInstance;
  private readonly socket: SocketModeServer;
  private base = '';

  private constructor(o: FakeSlackOptions) {
    this.botToken = o.botToken ?? 'xoxb-1-fake-bot-token';
    this.appToken = o.appToken ?? 'xapp-1-fake-app-token';
    this.signingSecret = o.signingSecret ?? 'fake-signing-secret';
    this.sharesInComplete = o.sharesInComplete ?? false;
    this.events = new EventFactory(this.state, this.signingSecret);
    this.http = Fastify({ bodyLimit: 200 * 1024 * 1024 });
    this.http.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    this.http.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    void this.http.register(multipart, { limits: { fileSize: 200 * 1024 * 1024 } });
    this.socket = new SocketModeServer(this.http, this.state.bot.appId);
    registerWebApi(this.http, {
      state: this.state,
      botToken: this.botToken,
      appToken: this.appToken,
      baseUrl: () => this.base,
      sharesInComplete: () => this.sharesInComplete,
      newTicket: () => this.socket.newTicket(),
    });
    registerFiles(this.http, this.state, this.botToken);
  }

  static async start(o: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(o);
    fake.base = await fake.http.listen({ port: 0, host: '127.0.0.1' });
    return fake;
  }

  /** Web API base for `slackApiUrl` / SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  get url(): string {
    return this.base;
  }

  get posts(): FakeSlack['state']['posts'] {
    return this.state.posts;
  }

  addUser(u: FakeUser): FakeUser {
    this.state.users.set(u.id, u);
    return u;
  }

  addChannel(id: string, kind: ChannelKind = 'channel', name?: string, user?: string): void {
    this.state.channels.set(id, { id, kind, ...(name ? { name } : {}), ...(user ? { user } : {}) });
  }

  /** Host a file a user shared; put the result in a file_share event. */
  addFile(o: { name: string; mimetype: string; bytes: Uint8Array; user: string }): SlackFileObject {
    return hostFile(this.state, this.base, o);
  }

  /** The next call of `method` (or `upload` for the upload URL) fails as described. */
  failNext(method: string, failure: Failure): void {
    const list = this.state.failures.get(method) ?? [];
    list.push(failure);
    this.state.failures.set(method, list);
  }

  calls(method: string): FakeSlack['state']['calls'] {
    return this.state.calls.filter((c) => c.method === method);
  }

  /** POST a signed event envelope to the bridge's Events API URL. */
  postEvent(url: string, body: object, o?: DeliveryOptions): Promise<DeliveryResult> {
    return deliver(this.events, url, JSON.stringify(body), 'application/json', o);
  }

  /** POST a signed slash command (form-urlencoded) to the bridge. */
  postCommand(url: string, cmd: SlashCommand, o?: DeliveryOptions): Promise<DeliveryResult> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(cmd)) if (typeof v === 'string') form.set(k, v);
    return deliver(this.events, url, form.toString(), 'application/x-www-form-urlencoded', o);
  }

  /** Send an envelope over Socket Mode; resolves with the client's ack. */
  sendEnvelope(type: 'events_api' | 'slash_commands', payload: object, o?: EnvelopeOptions): Promise<Ack> {
    return this.socket.send(type, payload, o);
  }

  get socketMode(): SocketModeServer {
    return this.socket;
  }

  async close(): Promise<void> {
    await this.socket.close();
    await this.http.close();
  }
}
