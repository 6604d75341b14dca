/**
 * A Bolt Receiver on the bridge's one Fastify server (Events API and slash commands over HTTP).
 *
 * The routes live in an encapsulated plugin whose only content-type parser keeps the raw
 * bytes: the signature (`v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing
 * secret) is checked over exactly what Slack sent. Forged or stale (> 5 min) requests get 401.
 * The reply goes out as soon as Bolt acks (events are acked before listeners run), so Slack
 * hears back well within its 3 s; a safety timer answers 200 if nothing acked in time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export interface FastifyReceiverOptions {
  readonly http: FastifyInstance;
  readonly signingSecret: string;
  readonly log: Logger;
  readonly paths: readonly string[];
  /** Seconds since the epoch (tests). */
  readonly now?: () => number;
  /** Answer 200 if no ack came within this long. Default 2500 ms. */
  readonly ackTimeoutMs?: number;
}

const MAX_SKEW_S = 5 * 60;

/** Is this a genuine, fresh Slack request? */
export function verifySignature(secret: string, timestamp: string | undefined, signature: string | undefined, raw: Buffer, nowS: number): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowS - Number(timestamp)) > MAX_SKEW_S) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseBody(raw: Buffer, contentType: string): Record<string, unknown> | undefined {
  try {
    const text = raw.toString('utf8');
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(text);
      const payload = params.get('payload');
      if (payload !== null) return JSON.parse(payload) as Record<string, unknown>;
      return Object.fromEntries(params);
    }
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export class FastifyReceiver implements Receiver {
  private app: App | undefined;
  private registered = false;
  private running = false;

  constructor(private readonly opts: FastifyReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** Adds the routes (once: Fastify routes cannot be removed; a stopped receiver answers 503). */
  async start(): Promise<void> {
    this.running = true;
    if (this.registered) return;
    this.registered = true;
    await this.opts.http.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      for (const path of this.opts.paths) scope.post(path, (req, reply) => this.handle(req, reply));
    });
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (!this.running || !this.app) return reply.code(503).send({ error: 'not running' });
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const now = this.opts.now?.() ?? Math.floor(Date.now() / 1000);
    const ok = verifySignature(
      this.opts.signingSecret,
      header(req, 'x-slack-request-timestamp'),
      header(req, 'x-slack-signature'),
      raw,
      now,
    );
    if (!ok) {
      this.opts.log.warn({ path: req.url }, 'slack: request with a bad or stale signature refused');
      return reply.code(401).send({ error: 'invalid signature' });
    }
    const body = parseBody(raw, header(req, 'content-type') ?? '');
    if (!body) return reply.code(400).send({ error: 'unreadable body' });
    if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
    if (body.ssl_check !== undefined) return reply.send();

    const retryNum = Number(header(req, 'x-slack-retry-num'));
    const retryReason = header(req, 'x-slack-retry-reason');
    const response = await new Promise<{ status: number; body?: unknown }>((resolve) => {
      let settled = false;
      const settle = (r: { status: number; body?: unknown }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => settle({ status: 200 }), this.opts.ackTimeoutMs ?? 2500);
      const event: ReceiverEvent = {
        body,
        ...(Number.isFinite(retryNum) ? { retryNum } : {}),
        ...(retryReason ? { retryReason } : {}),
        ack: async (res?: unknown) => settle({ status: 200, body: res }),
      };
      this.app?.processEvent(event).then(
        () => settle({ status: 200 }),
        (err: unknown) => {
          this.opts.log.error({ err }, 'slack: event processing failed');
          settle({ status: 500 });
        },
      );
    });
    reply.code(response.status);
    if (response.body === undefined || response.body === '') return reply.send();
    return typeof response.body === 'string' ? reply.type('text/plain').send(response.body) : reply.send(response.body);
  }
}
