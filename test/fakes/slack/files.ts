/**
 * The fake's file hosts: the upload URL of the v2 flow (raw bytes or multipart, as Slack
 * accepts) and `url_private` downloads, which need the bot token as Bearer. Without it Slack
 * answers 200 with its sign-in page, so the fake does too.
 */
import type { FastifyInstance } from 'fastify';
import type { SlackFileObject, SlackState } from './state.js';

export function registerFiles(http: FastifyInstance, state: SlackState, botToken: string): void {
  http.post('/upload/v1/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const failure = state.takeFailure('upload');
    if (failure?.status === 429) return reply.code(429).header('retry-after', String(failure.retryAfter ?? 1)).send('rate limited');
    if (failure?.status) return reply.code(failure.status).send('upload failed');
    const upload = state.uploads.get(id);
    if (!upload || upload.completed) return reply.code(404).send('no such upload');
    let bytes: Uint8Array | undefined;
    if (req.isMultipart()) {
      const part = await req.file();
      bytes = part ? new Uint8Array(await part.toBuffer()) : undefined;
    } else if (Buffer.isBuffer(req.body)) {
      bytes = new Uint8Array(req.body);
    }
    if (!bytes || bytes.length === 0) return reply.code(400).send('no file data');
    upload.bytes = bytes;
    return reply.type('text/plain').send(`OK - ${bytes.length}`);
  });

  http.get('/files-pri/:key/:name', async (req, reply) => {
    const { key } = req.params as { key: string };
    const hosted = state.hosted.get(key.split('-')[1] ?? '');
    if (req.headers.authorization !== `Bearer ${botToken}`) {
      return reply.type('text/html; charset=utf-8').send('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
    }
    if (!hosted) return reply.code(404).send('file not found');
    return reply.type(hosted.file.mimetype).send(Buffer.from(hosted.bytes));
  });
}

/** A hosted file object as Slack puts it in a `file_share` message. */
export function hostFile(state: SlackState, baseUrl: string, opts: { name: string; mimetype: string; bytes: Uint8Array; user: string }): SlackFileObject {
  const id = state.nextId('F');
  const url = `${baseUrl}/files-pri/${state.team.id}-${id}/${encodeURIComponent(opts.name)}`;
  const file: SlackFileObject = {
    id,
    created: Math.floor(Date.now() / 1000),
    name: opts.name,
    title: opts.name,
    mimetype: opts.mimetype,
    filetype: opts.name.split('.').pop() ?? 'binary',
    pretty_type: opts.mimetype,
    user: opts.user,
    editable: false,
    size: opts.bytes.length,
    mode: 'hosted',
    is_external: false,
    external_type: null,
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: null,
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: `https://${state.team.domain}.slack.com/files/${opts.user}/${id}/${opts.name}`,
    channels: null,
    groups: null,
  };
  state.hosted.set(id, { file, bytes: opts.bytes });
  return file;
}
