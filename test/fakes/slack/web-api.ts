/**
 * The fake's Web API: `POST /api/<method>` (form-urlencoded or JSON, token as Bearer header or
 * `token` param), answered as Slack does: HTTP 200 with `{ok: true, …}` or `{ok: false, error}`,
 * 429 with Retry-After when rate limited. Replies are typed with @slack/web-api's response types.
 */
import type {
  AppsConnectionsOpenResponse,
  AuthTestResponse,
  ChatDeleteResponse,
  ChatPostEphemeralResponse,
  ChatPostMessageResponse,
  ChatUpdateResponse,
  ConversationsHistoryResponse,
  ConversationsInfoResponse,
  ConversationsRepliesResponse,
  FilesCompleteUploadExternalResponse,
  FilesGetUploadURLExternalResponse,
  UsersInfoResponse,
} from '@slack/web-api';
import type { FastifyInstance } from 'fastify';
import type { SlackState, StoredMessage } from './state.js';

/** Slack's hard limit on message text. */
export const MAX_TEXT = 40_000;

export interface WebApiOptions {
  readonly state: SlackState;
  readonly botToken: string;
  readonly appToken: string;
  readonly baseUrl: () => string;
  /** Put the new message's ts in files.completeUploadExternal's reply (Slack often does not). */
  readonly sharesInComplete: () => boolean;
  /** Issue a single-use Socket Mode ticket. */
  readonly newTicket: () => string;
}

type Params = Record<string, string>;
type Reply = { ok: boolean; error?: string } & Record<string, unknown>;
class ApiError extends Error {}
const fail = (error: string): never => {
  throw new ApiError(error);
};
const need = (p: Params, key: string): string => p[key] || fail('invalid_arguments');
const bool = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : v === 'true' || v === '1');

/** Compares Slack ts values (`seconds.micros`) as numbers. */
function cmpTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

type ApiMessage = NonNullable<ConversationsHistoryResponse['messages']>[number];

/** `next_ts:<ts>` in base64, like Slack's cursors. */
const cursorAt = (ts: string): string => Buffer.from(`next_ts:${ts}`).toString('base64');
function cursorTs(cursor: string): string {
  const decoded = /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(cursor, 'base64').toString());
  return decoded?.[1] ?? fail('invalid_cursor');
}

function flatten(body: unknown): Params {
  const out: Params = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function registerWebApi(http: FastifyInstance, o: WebApiOptions): void {
  const s = o.state;
  const channel = (id: string | undefined): string => {
    if (!id || !s.channels.has(id)) fail('channel_not_found');
    return id as string;
  };
  const ownMessage = (ch: string, ts: string, denied: string): StoredMessage => {
    const m = s.findMessage(ch, ts) ?? fail('message_not_found');
    if (m.bot_id !== s.bot.botId && m.user !== s.bot.userId) fail(denied);
    return m;
  };
  /**
   * A stored message as the history and replies methods return it: a thread parent carries
   * `thread_ts` (its own ts), `reply_count`, `reply_users`, `reply_users_count` and
   * `latest_reply`, computed from its replies as Slack keeps them.
   */
  const view = (ch: string, m: StoredMessage): ApiMessage => {
    const out: ApiMessage = { ...m };
    if (m.thread_ts && m.thread_ts !== m.ts) return out;
    const replies = s.history(ch).filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
    const latest = replies.map((r) => r.ts).sort(cmpTs).at(-1);
    if (!latest) return out;
    const users = [...new Set(replies.map((r) => r.user ?? r.bot_id ?? '').filter(Boolean))];
    return { ...out, thread_ts: m.ts, reply_count: replies.length, reply_users: users, reply_users_count: users.length, latest_reply: latest };
  };
  const text = (p: Params): string => {
    const t = p.text ?? '';
    if (!t.trim() && !p.blocks && !p.attachments) fail('no_text');
    if (t.length > MAX_TEXT) fail('msg_too_long');
    return t;
  };

  const methods: Record<string, (p: Params) => Reply> = {
    'auth.test': () =>
      ({
        ok: true,
        url: `https://${s.team.domain}.slack.com/`,
        team: s.team.name,
        user: s.bot.name,
        team_id: s.team.id,
        user_id: s.bot.userId,
        bot_id: s.bot.botId,
        is_enterprise_install: false,
      }) satisfies AuthTestResponse,
    'users.info': (p) => {
      const u = s.users.get(need(p, 'user')) ?? fail('user_not_found');
      return {
        ok: true,
        user: {
          id: u.id,
          name: u.name,
          real_name: u.realName ?? u.name,
          is_admin: u.isAdmin ?? false,
          is_owner: u.isOwner ?? false,
          profile: {
            display_name: u.displayName ?? '',
            real_name: u.realName ?? u.name,
            ...(u.avatarUrl ? { image_72: u.avatarUrl, image_192: u.avatarUrl } : {}),
          },
        },
      } satisfies UsersInfoResponse;
    },
    'conversations.info': (p) => {
      const c = s.channels.get(channel(p.channel)) ?? fail('channel_not_found');
      const info: NonNullable<ConversationsInfoResponse['channel']> = {
        id: c.id,
        is_channel: c.kind === 'channel',
        is_group: c.kind === 'group',
        is_private: c.kind !== 'channel',
        is_im: c.kind === 'im',
        is_mpim: c.kind === 'mpim',
        ...(c.name ? { name: c.name } : {}),
        ...(c.creator ? { creator: c.creator } : {}),
      };
      return { ok: true, channel: { ...info, ...(c.user ? { user: c.user } : {}) } } satisfies ConversationsInfoResponse;
    },
    // Shown to one user; a user the workspace does not have gets user_not_in_channel, as from Slack.
    'chat.postEphemeral': (p) => {
      const ch = channel(p.channel);
      if (!s.channels.has(ch)) fail('channel_not_found');
      const user = need(p, 'user');
      if (!s.users.has(user)) fail('user_not_in_channel');
      s.ephemerals.push({ channel: ch, user, text: text(p) });
      return { ok: true, message_ts: s.nextTs() } satisfies ChatPostEphemeralResponse;
    },
    'chat.postMessage': (p) => {
      const ch = channel(p.channel);
      const t = text(p);
      const ts = s.nextTs();
      const m: StoredMessage = {
        type: 'message',
        ts,
        text: t,
        bot_id: s.bot.botId,
        ...(p.username || p.icon_url ? { subtype: 'bot_message' } : { user: s.bot.userId }),
        ...(p.username ? { username: p.username } : {}),
        ...(p.icon_url ? { icons: { image_64: p.icon_url } } : {}),
        ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}),
      };
      s.history(ch).push(m);
      const linkNames = bool(p.link_names);
      const unfurlLinks = bool(p.unfurl_links);
      s.posts.push({
        channel: ch,
        ts,
        text: t,
        ...(p.username ? { username: p.username } : {}),
        ...(p.icon_url ? { icon_url: p.icon_url } : {}),
        ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}),
        ...(linkNames !== undefined ? { link_names: linkNames } : {}),
        ...(unfurlLinks !== undefined ? { unfurl_links: unfurlLinks } : {}),
      });
      return { ok: true, channel: ch, ts, message: { ...m, type: 'message' } } satisfies ChatPostMessageResponse;
    },
    'chat.update': (p) => {
      const ch = channel(p.channel);
      const m = ownMessage(ch, need(p, 'ts'), 'cant_update_message');
      m.text = text(p);
      m.edited = { user: s.bot.userId, ts: s.nextTs() };
      s.updates.push({ channel: ch, ts: m.ts, text: m.text });
      return { ok: true, channel: ch, ts: m.ts, text: m.text } satisfies ChatUpdateResponse;
    },
    'chat.delete': (p) => {
      const ch = channel(p.channel);
      const m = ownMessage(ch, need(p, 'ts'), 'cant_delete_message');
      s.history(ch).splice(s.history(ch).indexOf(m), 1);
      s.deletes.push({ channel: ch, ts: m.ts });
      return { ok: true, channel: ch, ts: m.ts } satisfies ChatDeleteResponse;
    },
    // As documented: top-level messages (and thread broadcasts) newest first; `oldest` / `latest`
    // exclusive unless `inclusive`; `limit` default 100, at most 999; pages older through
    // `response_metadata.next_cursor` (base64 `next_ts:<ts>`, like Slack's) while `has_more`.
    'conversations.history': (p) => {
      const ch = channel(p.channel);
      const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 999);
      const inclusive = bool(p.inclusive) === true;
      const oldest = p.oldest ?? '0';
      const latest = p.latest;
      const below = p.cursor ? cursorTs(p.cursor) : undefined;
      const after = (ts: string, bound: string, incl: boolean): boolean => cmpTs(ts, bound) > 0 || (incl && cmpTs(ts, bound) === 0);
      const top = s
        .history(ch)
        .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
        .filter((m) => after(m.ts, oldest, inclusive && p.oldest !== undefined))
        .filter((m) => latest === undefined || after(latest, m.ts, inclusive))
        .filter((m) => below === undefined || cmpTs(m.ts, below) <= 0)
        .sort((a, b) => cmpTs(b.ts, a.ts));
      const page = top.slice(0, limit);
      const next = top[limit];
      return {
        ok: true,
        messages: page.map((m) => view(ch, m)),
        has_more: next !== undefined,
        ...(next ? { response_metadata: { next_cursor: cursorAt(next.ts) } } : {}),
      } satisfies ConversationsHistoryResponse;
    },
    // As documented: the thread of the message `ts` (its parent or any reply), oldest first;
    // `oldest` / `latest` exclusive unless `inclusive`; `limit` default and at most 1000; pages
    // newer through `response_metadata.next_cursor` while `has_more`. As Slack does, the first
    // page starts with the parent whatever the range, and later pages do not repeat it.
    'conversations.replies': (p) => {
      const ch = channel(p.channel);
      const ts = need(p, 'ts');
      const asked = s.findMessage(ch, ts) ?? fail('thread_not_found');
      const root = asked.thread_ts ?? asked.ts;
      const parent = s.findMessage(ch, root) ?? fail('thread_not_found');
      const limit = Math.min(Math.max(Number(p.limit ?? 1000) || 1000, 1), 1000);
      const inclusive = bool(p.inclusive) === true;
      const from = p.cursor ? cursorTs(p.cursor) : undefined;
      const replies = s
        .history(ch)
        .filter((m) => m.thread_ts === root && m.ts !== root)
        .filter((m) => p.oldest === undefined || cmpTs(m.ts, p.oldest) > 0 || (inclusive && cmpTs(m.ts, p.oldest) === 0))
        .filter((m) => p.latest === undefined || cmpTs(p.latest, m.ts) > 0 || (inclusive && cmpTs(m.ts, p.latest) === 0))
        .filter((m) => from === undefined || cmpTs(m.ts, from) >= 0)
        .sort((a, b) => cmpTs(a.ts, b.ts));
      const head = from === undefined ? [parent] : [];
      const take = Math.max(limit - head.length, 1);
      const page = replies.slice(0, take);
      const next = replies[take];
      return {
        ok: true,
        messages: [...head, ...page].map((m) => view(ch, m)),
        has_more: next !== undefined,
        ...(next ? { response_metadata: { next_cursor: cursorAt(next.ts) } } : {}),
      } satisfies ConversationsRepliesResponse;
    },
    'files.getUploadURLExternal': (p) => {
      const filename = need(p, 'filename');
      const length = Number(need(p, 'length'));
      if (!Number.isInteger(length) || length <= 0) fail('invalid_arguments');
      const id = s.nextId('F');
      s.uploads.set(id, { id, filename, length });
      return { ok: true, upload_url: `${o.baseUrl()}/upload/v1/${id}?sig=${id.toLowerCase()}`, file_id: id } satisfies FilesGetUploadURLExternalResponse;
    },
    'files.completeUploadExternal': (p) => {
      const parsed: unknown = JSON.parse(need(p, 'files'));
      if (!Array.isArray(parsed) || parsed.length === 0) fail('invalid_arguments');
      const files = (parsed as { id?: unknown; title?: unknown }[]).map((f) => ({
        id: typeof f.id === 'string' ? f.id : fail('invalid_arguments'),
        ...(typeof f.title === 'string' ? { title: f.title } : {}),
      }));
      // Only files whose bytes arrived at the upload URL, in full, can be completed.
      const uploads = files.map((f) => {
        const u = s.uploads.get(f.id);
        if (!u || u.completed || !u.bytes || u.bytes.length !== u.length) fail('file_not_found');
        return u as NonNullable<typeof u>;
      });
      const ch = p.channel_id ? channel(p.channel_id) : undefined;
      let ts: string | undefined;
      if (ch) {
        ts = s.nextTs();
        s.history(ch).push({
          type: 'message',
          ts,
          text: p.initial_comment ?? '',
          user: s.bot.userId,
          upload: true,
          files: uploads.map((u, i) => ({ id: u.id, name: u.filename, title: files[i]?.title ?? u.filename, size: u.length })),
          ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}),
        });
      }
      for (const u of uploads) u.completed = true;
      s.completes.push({
        files,
        ...(ch ? { channel_id: ch } : {}),
        ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}),
        ...(p.initial_comment !== undefined ? { initial_comment: p.initial_comment } : {}),
        ...(ts ? { ts } : {}),
      });
      const shares = ch && ts && o.sharesInComplete() ? { public: { [ch]: [{ ts, channel_name: s.channels.get(ch)?.name ?? '' }] } } : undefined;
      return {
        ok: true,
        files: uploads.map((u, i) => ({
          id: u.id,
          name: u.filename,
          title: files[i]?.title ?? u.filename,
          size: u.length,
          ...(shares ? { shares } : {}),
        })),
      } satisfies FilesCompleteUploadExternalResponse;
    },
    'apps.connections.open': () =>
      ({ ok: true, url: `${o.baseUrl().replace(/^http/, 'ws')}/link/?ticket=${o.newTicket()}&app_id=${s.bot.appId}` }) satisfies AppsConnectionsOpenResponse,
  };

  http.post('/api/:method', async (req, reply) => {
    const { method } = req.params as { method: string };
    const params = { ...flatten(req.query), ...flatten(req.body) };
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : params.token;
    delete params.token;
    s.calls.push({ method, params });
    const failure = s.takeFailure(method);
    if (failure?.status === 429) {
      return reply.code(429).header('retry-after', String(failure.retryAfter ?? 1)).send({ ok: false, error: 'ratelimited' });
    }
    if (failure?.status) return reply.code(failure.status).type('text/plain').send('upstream connect error');
    if (failure?.error) return { ok: false, error: failure.error };
    const handler = methods[method];
    if (!handler) return reply.code(404).send({ ok: false, error: 'unknown_method' });
    const wanted = method === 'apps.connections.open' ? o.appToken : o.botToken;
    if (!token) return { ok: false, error: 'not_authed' };
    if (token !== wanted) return { ok: false, error: token === o.appToken || token === o.botToken ? 'not_allowed_token_type' : 'invalid_auth' };
    try {
      return handler(params);
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err.message };
      throw err;
    }
  });
}
