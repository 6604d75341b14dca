/**
 * Routes for webhooks signed with an HMAC of the raw body (Slack's signing secret: `v0=` +
 * hex HMAC-SHA256 of `v0:<timestamp>:<body>`). The routes live in an encapsulated plugin whose
 * only content-type parser keeps the raw bytes, so the signature is checked over exactly what
 * the platform sent; a forged or stale request gets 401 before anything reads it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export interface HmacOptions {
  readonly algorithm?: 'sha256' | 'sha1' | 'sha512';
  readonly encoding?: 'hex' | 'base64';
  /** put before the digest in the header (`v0=`, `sha256=`) */
  readonly prefix?: string;
}

/** Does `given` equal the HMAC of `parts` (concatenated) under `secret`? Constant time. */
export function hmacMatches(secret: string, parts: ReadonlyArray<string | Buffer>, given: string | undefined, opts: HmacOptions = {}): boolean {
  if (!secret || !given) return false;
  const mac = createHmac(opts.algorithm ?? 'sha256', secret);
  for (const p of parts) mac.update(p);
  const expected = Buffer.from(`${opts.prefix ?? ''}${mac.digest(opts.encoding ?? 'hex')}`);
  const got = Buffer.from(given);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** One header's value (the first, if repeated). */
export function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export interface SignedRoutesOptions {
  readonly paths: readonly string[];
  /** Is this request genuine (and fresh)? Given the raw body. */
  readonly verify: (req: FastifyRequest, raw: Buffer) => boolean;
  /** for the refusal log line */
  readonly name: string;
  readonly log: Logger;
  /** called for a genuine request, with its raw body */
  readonly handle: (req: FastifyRequest, reply: FastifyReply, raw: Buffer) => Promise<unknown>;
  /** checked first: answer 503 while false */
  readonly running?: () => boolean;
}

/** Register POST routes that take only requests whose signature holds. */
export async function signedWebhookRoutes(http: FastifyInstance, opts: SignedRoutesOptions): Promise<void> {
  await http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const path of opts.paths) {
      scope.post(path, async (req, reply) => {
        if (opts.running && !opts.running()) return reply.code(503).send({ error: 'not running' });
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (!opts.verify(req, raw)) {
          opts.log.warn({ path: req.url }, `${opts.name}: request with a bad or stale signature refused`);
          return reply.code(401).send({ error: 'invalid signature' });
        }
        return opts.handle(req, reply, raw);
      });
    }
  });
}
