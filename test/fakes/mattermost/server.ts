/**
 * A fake Mattermost server (REST v4 + WebSocket) on 127.0.0.1 for tests, built on Fastify.
 *
 * Enforces: bearer tokens (401), channel membership and post ownership (403), the 16383-rune
 * message limit and the file-id limit (400), thread roots (400 for a reply to a reply),
 * integration-only props (`override_username`, `from_webhook`, … for bot tokens only), the
 * upload size limit (413), and 429 with `X-RateLimit-*` / `Retry-After` on demand. Edits come
 * as a full `PUT /posts/{id}` (omitted fields blanked) or `PUT /posts/{id}/patch` (only the
 * fields sent change; `props` replaces the whole map, as model.Post.Patch does).
 * Test controls inject posts, edits and deletes by people, which reach the WebSocket.
 */
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Hub } from './hub.js';
import { Model, newId, type Channel, type FileInfo, type Post, type User } from './model.js';

export type MmRoute = 'config' | 'me' | 'user' | 'channel' | 'team' | 'create_post' | 'get_post' | 'update_post' | 'patch_post' | 'delete_post' | 'upload' | 'file' | 'file_info';

const MAX_RUNES = 16383;
const MAX_FILE_IDS_RUNES = 300;
const RESERVED = ['from_webhook', 'override_username', 'webhook_display_name', 'override_icon_url', 'override_icon_emoji'];

const appError = (status: number, id: string, message: string): { status: number; body: Record<string, unknown> } => ({
  status,
  body: { id, message, detailed_error: '', request_id: newId(), status_code: status },
});

export class FakeMattermost {
  readonly model = new Model();
  readonly hub = new Hub(this.model);
  readonly bot: User;
  readonly botToken = 'mm-bot-secret-token';
  readonly team = { id: newId(), name: 'acme', display_name: 'Acme' };
  maxFileBytes = 1024 * 1024;
  /** ServiceSettings.EnablePostUsernameOverride / EnablePostIconOverride. */
  overrides = true;
  url = '';
  private readonly app: FastifyInstance = Fastify();
  private readonly failures: { route: MmRoute; status: number; retryAfterSec?: number }[] = [];

  constructor() {
    this.bot = this.model.addUser('sameroom', { token: this.botToken, is_bot: true, first_name: 'Sameroom' });
    this.model.teams.set(this.team.id, this.team);
  }

  async start(): Promise<this> {
    await this.app.register(websocket);
    await this.app.register(multipart, { limits: { fileSize: 200 * 1024 * 1024 } });
    this.app.get('/api/v4/websocket', { websocket: true }, (socket, req) => {
      this.hub.accept(socket, new URL(req.url, 'http://x').searchParams);
    });
    this.routes();
    this.url = await this.app.listen({ port: 0, host: '127.0.0.1' });
    return this;
  }

  async close(): Promise<void> {
    this.hub.forgetSessions();
    await this.app.close();
  }

  // ---- test controls -------------------------------------------------------------------------

  addUser(username: string, opts: { first_name?: string; last_name?: string; nickname?: string } = {}): User {
    return this.model.addUser(username, opts);
  }

  addChannel(name: string, members: User[], opts: { type?: Channel['type']; teamId?: string; botMember?: boolean } = {}): Channel {
    const ch: Channel = {
      id: newId(),
      team_id: opts.type === 'D' || opts.type === 'G' ? '' : (opts.teamId ?? this.team.id),
      type: opts.type ?? 'O',
      name,
      display_name: name.replace(/(^|-)(\w)/g, (_m, s: string, c: string) => `${s ? ' ' : ''}${c.toUpperCase()}`),
      members: new Set([...members.map((m) => m.id), ...(opts.botMember === false ? [] : [this.bot.id])]),
    };
    this.model.channels.set(ch.id, ch);
    return ch;
  }

  userPost(user: User, channel: Channel, message: string, extra: Partial<Post> = {}): Post {
    const post = this.model.newPost(user.id, channel.id, message, extra);
    this.posted(post);
    return post;
  }

  userUpload(user: User, channel: Channel, name: string, mime: string, bytes: Uint8Array): string {
    return this.model.addFile(user.id, channel.id, name, mime, Buffer.from(bytes)).id;
  }

  userEdit(postId: string, message: string): Post {
    const post = this.mustPost(postId);
    Object.assign(post, { message, edit_at: Date.now(), update_at: Date.now() });
    this.edited(post);
    return post;
  }

  userDelete(postId: string): void {
    const post = this.mustPost(postId);
    post.delete_at = Date.now();
    this.hub.broadcast('post_deleted', post.channel_id, { post: JSON.stringify(post), delete_by: post.user_id });
  }

  failNext(route: MmRoute, failure: { status: number; retryAfterSec?: number }): void {
    this.failures.push({ route, ...failure });
  }

  /** Posts in a channel (deleted ones too), oldest first. */
  postsIn(channel: Channel): Post[] {
    return [...this.model.posts.values()].filter((p) => p.channel_id === channel.id);
  }

  private mustPost(id: string): Post {
    const p = this.model.posts.get(id);
    if (!p) throw new Error(`no post ${id}`);
    return p;
  }

  private edited(post: Post): void {
    this.hub.broadcast('post_edited', post.channel_id, { post: JSON.stringify(post) });
  }

  private posted(post: Post): void {
    const ch = this.model.channels.get(post.channel_id);
    const sender = this.model.users.get(post.user_id);
    this.hub.broadcast('posted', post.channel_id, {
      channel_display_name: ch?.display_name ?? '',
      channel_name: ch?.name ?? '',
      channel_type: ch?.type ?? 'O',
      post: JSON.stringify(post),
      sender_name: `@${sender?.username ?? ''}`,
      set_online: true,
      team_id: ch?.team_id ?? '',
    });
  }

  // ---- REST ----------------------------------------------------------------------------------

  private routes(): void {
    const on = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      route: MmRoute,
      handler: (user: User, req: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown,
    ): void => {
      this.app.route({
        method,
        url,
        handler: async (req, reply) => {
          const token = /^(?:Bearer|Token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
          const user = this.model.users.get(this.model.tokens.get(token) ?? '');
          if (!user) return send(reply, appError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.'));
          const fi = this.failures.findIndex((f) => f.route === route);
          if (fi >= 0) {
            const f = this.failures.splice(fi, 1)[0];
            if (f?.status === 429) {
              const after = String(f.retryAfterSec ?? 1);
              return reply.code(429).headers({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': after, 'retry-after': after }).type('text/plain').send('limit exceeded\n');
            }
            return send(reply, appError(f?.status ?? 500, 'fake.injected.app_error', 'injected failure'));
          }
          const out = await handler(user, req, reply);
          if (isError(out)) return send(reply, out);
          return out;
        },
      });
    };
    const params = (req: FastifyRequest): Record<string, string> => req.params as Record<string, string>;
    const channelFor = (user: User, id: string): Channel | ReturnType<typeof appError> => {
      const ch = this.model.channels.get(id);
      if (!ch) return appError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.');
      if (!ch.members.has(user.id)) return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      return ch;
    };
    const visiblePost = (user: User, id: string): Post | ReturnType<typeof appError> => {
      const p = this.model.posts.get(id);
      if (!p || p.delete_at) return appError(404, 'app.post.get.app_error', 'Unable to get the post.');
      const ch = channelFor(user, p.channel_id);
      return isError(ch) ? ch : p;
    };

    on('GET', '/api/v4/config/client', 'config', () => ({
      // format=old: every value is a string.
      MaxFileSize: String(this.maxFileBytes),
      EnablePostUsernameOverride: String(this.overrides),
      EnablePostIconOverride: String(this.overrides),
      EnableBotAccountCreation: 'true',
    }));
    on('GET', '/api/v4/users/me', 'me', (user) => user);
    on('GET', '/api/v4/users/:id', 'user', (_u, req) => this.model.users.get(params(req).id ?? '') ?? appError(404, 'app.user.missing_account.const', 'Unable to find the user.'));
    on('GET', '/api/v4/channels/:id', 'channel', (user, req) => {
      const ch = channelFor(user, params(req).id ?? '');
      if (isError(ch)) return ch;
      const { members: _m, ...rest } = ch;
      return rest;
    });
    on('GET', '/api/v4/teams/:id', 'team', (_u, req) => this.model.teams.get(params(req).id ?? '') ?? appError(404, 'app.team.get.find.app_error', 'Unable to find the existing team.'));
    on('GET', '/api/v4/posts/:id', 'get_post', (user, req) => visiblePost(user, params(req).id ?? ''));

    on('POST', '/api/v4/posts', 'create_post', (user, req, reply) => {
      const body = (req.body ?? {}) as Partial<Post>;
      const ch = channelFor(user, String(body.channel_id ?? ''));
      if (isError(ch)) return ch;
      const invalid = this.validate(user, body);
      if (invalid) return invalid;
      if (body.root_id) {
        const root = this.model.posts.get(body.root_id);
        if (!root || root.root_id || root.channel_id !== ch.id || root.delete_at) return appError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
      }
      if (!body.message && !(body.file_ids ?? []).length) return appError(400, 'model.post.is_valid.msg.app_error', 'Invalid Message property.');
      const post = this.model.newPost(user.id, ch.id, body.message ?? '', { root_id: body.root_id ?? '', props: body.props ?? {}, file_ids: body.file_ids ?? [] });
      this.posted(post);
      return reply.code(201).send(post);
    });

    on('PUT', '/api/v4/posts/:id', 'update_post', (user, req) => {
      const body = (req.body ?? {}) as Partial<Post>;
      const post = visiblePost(user, params(req).id ?? '');
      if (isError(post)) return post;
      if (body.id !== post.id) return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing id in request body.');
      if (post.user_id !== user.id) return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      const invalid = this.validate(user, body);
      if (invalid) return invalid;
      // PUT replaces the updatable fields: omitted ones become blank.
      Object.assign(post, { message: body.message ?? '', props: body.props ?? {}, is_pinned: body.is_pinned ?? false, edit_at: Date.now(), update_at: Date.now() });
      this.edited(post);
      return post;
    });

    on('PUT', '/api/v4/posts/:id/patch', 'patch_post', (user, req) => {
      const body = (req.body ?? {}) as PostPatch;
      const post = visiblePost(user, params(req).id ?? '');
      if (isError(post)) return post;
      if (post.user_id !== user.id) return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      if (!isPostPatch(body)) return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing patch in request body.');
      const invalid = this.validate(user, { message: body.message ?? undefined, file_ids: body.file_ids ?? undefined, props: body.props ?? undefined });
      if (invalid) return invalid;
      // Only the fields sent change (null counts as not sent); anything else in the body is ignored.
      // edit_at moves when the message or the attached files change, as the server's UpdatePost does.
      const before = { message: post.message, file_ids: post.file_ids.join() };
      if (typeof body.message === 'string') post.message = body.message;
      if (typeof body.is_pinned === 'boolean') post.is_pinned = body.is_pinned;
      if (body.props) post.props = body.props;
      if (body.file_ids) this.model.attachFiles(post, user.id, body.file_ids);
      const now = Date.now();
      if (post.message !== before.message || post.file_ids.join() !== before.file_ids) post.edit_at = now;
      post.update_at = now;
      this.edited(post);
      return post;
    });

    on('DELETE', '/api/v4/posts/:id', 'delete_post', (user, req) => {
      const post = visiblePost(user, params(req).id ?? '');
      if (isError(post)) return post;
      if (post.user_id !== user.id) return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      post.delete_at = Date.now();
      this.hub.broadcast('post_deleted', post.channel_id, { post: JSON.stringify(post), delete_by: user.id });
      return { status: 'OK' };
    });

    on('POST', '/api/v4/files', 'upload', async (user, req, reply) => {
      let channelId = (req.query as Record<string, string>).channel_id ?? '';
      const infos = [];
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field' && part.fieldname === 'channel_id') channelId = String(part.value);
          if (part.type !== 'file') continue;
          const bytes = await part.toBuffer();
          if (bytes.byteLength > this.maxFileBytes) throw Object.assign(new Error('too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
          const ch = channelFor(user, channelId);
          if (isError(ch)) return ch;
          infos.push(this.model.addFile(user.id, ch.id, part.filename, part.mimetype, bytes));
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          return appError(413, 'api.file.upload_file.too_large_detailed.app_error', 'Unable to upload file. File is too large.');
        }
        throw err;
      }
      if (!infos.length) return appError(400, 'api.file.upload_file.incorrect_number_of_files.app_error', 'Unable to upload files. Incorrect number of files specified.');
      return reply.code(201).send({ file_infos: infos, client_ids: [] });
    });

    const fileFor = (user: User, id: string): { info: FileInfo; bytes: Buffer } | ReturnType<typeof appError> => {
      const f = this.model.files.get(id);
      if (!f) return appError(404, 'app.file_info.get.app_error', 'Unable to get the file info.');
      const ch = channelFor(user, f.info.channel_id);
      return isError(ch) ? ch : f;
    };
    on('GET', '/api/v4/files/:id/info', 'file_info', (user, req) => {
      const f = fileFor(user, params(req).id ?? '');
      return isError(f) ? f : f.info;
    });
    on('GET', '/api/v4/files/:id', 'file', (user, req, reply) => {
      const f = fileFor(user, params(req).id ?? '');
      if (isError(f)) return f;
      return reply.type(f.info.mime_type).header('content-disposition', `attachment; filename="${f.info.name}"`).send(f.bytes);
    });
  }

  /** Checks shared by create and update. */
  private validate(user: User, body: Partial<Post>): ReturnType<typeof appError> | undefined {
    if ([...(body.message ?? '')].length > MAX_RUNES) return appError(400, 'model.post.is_valid.message_length.app_error', 'Invalid Message property.');
    if ([...JSON.stringify(body.file_ids ?? [])].length > MAX_FILE_IDS_RUNES) return appError(400, 'model.post.is_valid.file_ids.app_error', 'Invalid file ids.');
    const reserved = Object.keys(body.props ?? {}).filter((k) => RESERVED.includes(k));
    if (reserved.length && !user.is_bot) return appError(400, 'api.context.invalid_body_param.app_error', `Invalid ${reserved.join(',')} parameter.`);
    return undefined;
  }
}

/** `PUT /posts/{id}/patch` body (model.PostPatch): every field optional. */
interface PostPatch {
  message?: string | null;
  is_pinned?: boolean | null;
  props?: Record<string, unknown> | null;
  file_ids?: string[] | null;
  has_reactions?: boolean | null;
}

function isPostPatch(v: unknown): v is PostPatch {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const b = v as Record<string, unknown>;
  const ok = (key: string, test: (x: unknown) => boolean): boolean => b[key] === undefined || b[key] === null || test(b[key]);
  return (
    ok('message', (x) => typeof x === 'string') &&
    ok('is_pinned', (x) => typeof x === 'boolean') &&
    ok('has_reactions', (x) => typeof x === 'boolean') &&
    ok('props', (x) => typeof x === 'object' && !Array.isArray(x)) &&
    ok('file_ids', (x) => Array.isArray(x) && x.every((id) => typeof id === 'string'))
  );
}

function isError(v: unknown): v is ReturnType<typeof appError> {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v && typeof (v as { status: unknown }).status === 'number';
}

function send(reply: FastifyReply, err: ReturnType<typeof appError>): FastifyReply {
  return reply.code(err.status).send(err.body);
}
