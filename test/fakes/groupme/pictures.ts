/**
 * The fake GroupMe image service: `POST /image/pictures` with `X-Access-Token` and the raw
 * image bytes (Content-Type image/*) → `{payload: {url, picture_url}}`; the images are served
 * back at `/i/<w>x<h>.<format>.<id>` like i.groupme.com.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface Picture {
  readonly bytes: Uint8Array;
  readonly mime: string;
}

export interface PicturesOptions {
  /** Token check and injected failures; `true` when it already replied. */
  readonly gate: (req: FastifyRequest, reply: FastifyReply) => boolean;
  readonly pictures: Map<string, Picture>;
  readonly maxBytes: number;
  readonly base: () => string;
}

const TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/heic']);

export function registerPictures(app: FastifyInstance, opts: PicturesOptions): void {
  app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: opts.maxBytes * 2 }, (_req, body, done) =>
    done(null, body),
  );
  // Anything else is read as raw bytes too, so a wrong Content-Type gets a clear 415 below.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post('/image/pictures', async (req, reply) => {
    if (opts.gate(req, reply)) return reply;
    const mime = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!TYPES.has(mime)) return reply.code(415).send({ errors: ['unsupported image type'] });
    const body = req.body;
    if (!(body instanceof Buffer) || body.byteLength === 0) return reply.code(400).send({ errors: ['no image data'] });
    if (body.byteLength > opts.maxBytes) return reply.code(413).send({ errors: ['image too large'] });
    const id = randomBytes(16).toString('hex');
    opts.pictures.set(id, { bytes: new Uint8Array(body), mime });
    const url = `${opts.base()}/i/100x100.${mime.split('/')[1]}.${id}`;
    return reply.code(200).send({ payload: { url, picture_url: url } });
  });

  app.get('/i/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const picture = opts.pictures.get(name.split('.').pop() ?? '');
    if (!picture) return reply.code(404).send();
    return reply.type(picture.mime).send(Buffer.from(picture.bytes));
  });
}
