/**
 * A fake GroupMe on 127.0.0.1: the v3 user API (groups, bots), `bots/post`, the image service
 * and the sender of bot callbacks, all on one Fastify server:
 *
 *   apiUrl   = `${url}/v3`      GET /groups (page, per_page), GET /bots, POST /bots,
 *                                POST /bots/destroy, POST /bots/post
 *   imageUrl = `${url}/image`   POST /pictures (raw bytes) → {payload:{url, picture_url}}
 *   `${url}/i/<w>x<h>.<fmt>.<id>`  the hosted images (like i.groupme.com)
 *
 * It enforces what a bridge could get wrong: the token (`?token=` or `X-Access-Token`, 401
 * otherwise; the image service takes the header only), 1000 characters of text, known bot ids,
 * image attachments only from its own image service, reply ids of messages in the group
 * (stricter than documented), image types and size. Like GroupMe it sends every group message
 * to every bot callback of the group, a bot's own posts included (sender_type `bot`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Envelope, FakeAttachment, FakeBot, FakeGroup, FakeMessage, FakeRoute, FakeUser, Failure } from './types.js';
import { registerPictures, type Picture } from './pictures.js';

export type { FakeAttachment, FakeBot, FakeMessage, FakeRoute } from './types.js';

export interface FakeOptions {
  readonly token?: string;
  readonly account?: FakeUser;
  /** Largest page `GET /groups` returns, whatever per_page asks. */
  readonly maxPerPage?: number;
  /** Echo bot posts back to the callbacks (GroupMe does). */
  readonly echo?: boolean;
  readonly maxImageBytes?: number;
}

export interface UserPost {
  readonly user: FakeUser;
  readonly text?: string;
  readonly attachments?: FakeAttachment[];
  readonly system?: boolean;
}

const MAX_TEXT = 1000;

export async function startFakeGroupMe(opts: FakeOptions = {}) {
  const token = opts.token ?? 'fake-token-' + randomBytes(6).toString('hex');
  const account: FakeUser = opts.account ?? { id: '9000', name: 'Bridge Account' };
  const groups = new Map<string, FakeGroup>();
  const bots = new Map<string, FakeBot>();
  const messages: FakeMessage[] = [];
  const pictures = new Map<string, Picture>();
  const failures = new Map<FakeRoute, Failure[]>();
  const calls: { route: FakeRoute; authorized: boolean }[] = [];
  const deliveries: { url: string; status: number; message: FakeMessage }[] = [];
  const inflight = new Set<Promise<unknown>>();
  let nextId = Date.now() * 1000;
  let base = '';

  const app = Fastify();

  const envelope = <T>(reply: FastifyReply, code: number, response: T | null, errors?: string[]) =>
    reply.code(code).send({ response, meta: errors ? { code, errors } : { code } } satisfies Envelope<T>);

  /** Count the call, apply a queued failure, check the token. `true` when the reply was sent. */
  const gate = (route: FakeRoute, req: FastifyRequest, reply: FastifyReply, auth: 'either' | 'header' | 'none') => {
    const query = req.query as Record<string, string | undefined>;
    const given = auth === 'header' ? req.headers['x-access-token'] : (req.headers['x-access-token'] ?? query.token);
    const authorized = given === token;
    calls.push({ route, authorized });
    const failure = failures.get(route)?.shift();
    if (failure) {
      if (failure.retryAfter !== undefined) void reply.header('retry-after', String(failure.retryAfter));
      void envelope(reply, failure.status, null, [`injected ${failure.status}`]);
      return true;
    }
    if (auth !== 'none' && !authorized) {
      void envelope(reply, 401, null, ['unauthorized']);
      return true;
    }
    return false;
  };

  const newMessageId = (): string => String(++nextId);

  /** POST a message to every bot callback of its group, as GroupMe does. */
  const fanOut = (message: FakeMessage): Promise<number[]> => {
    const targets = [...bots.values()].filter((b) => b.group_id === message.group_id && b.callback_url);
    const p = Promise.all(
      targets.map(async (b) => {
        const url = b.callback_url as string;
        const status = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
        })
          .then(async (res) => (await res.arrayBuffer(), res.status))
          .catch(() => 0);
        deliveries.push({ url, status, message });
        return status;
      }),
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  };

  app.get('/v3/groups', async (req, reply) => {
    if (gate('groups', req, reply, 'either')) return reply;
    const q = req.query as Record<string, string | undefined>;
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const perPage = Math.min(opts.maxPerPage ?? 100, Math.max(1, Number(q.per_page ?? 10) || 10));
    const mine = [...groups.values()].filter((g) => g.members.has(account.id));
    const slice = mine.slice((page - 1) * perPage, page * perPage);
    return envelope(
      reply,
      200,
      slice.map((g) => ({ id: g.id, name: g.name, type: 'private', members: q.omit === 'memberships' ? null : [] })),
    );
  });

  app.get('/v3/bots', async (req, reply) => {
    if (gate('bots.list', req, reply, 'either')) return reply;
    return envelope(
      reply,
      200,
      [...bots.values()].filter((b) => b.owner === account.id).map(({ owner: _owner, ...b }) => b),
    );
  });

  app.post('/v3/bots', async (req, reply) => {
    if (gate('bots.create', req, reply, 'either')) return reply;
    const bot = (req.body as { bot?: Partial<FakeBot> } | undefined)?.bot;
    if (!bot?.name || !bot.group_id) return envelope(reply, 400, null, ['bot name and group_id are required']);
    const group = groups.get(bot.group_id);
    if (!group?.members.has(account.id)) return envelope(reply, 404, null, ['group not found']);
    const created: FakeBot = {
      bot_id: randomBytes(13).toString('hex'),
      group_id: bot.group_id,
      name: bot.name,
      avatar_url: bot.avatar_url ?? null,
      callback_url: bot.callback_url ?? null,
      dm_notification: bot.dm_notification ?? false,
      owner: account.id,
    };
    bots.set(created.bot_id, created);
    const { owner: _owner, ...shown } = created;
    return envelope(reply, 201, { bot: shown });
  });

  app.post('/v3/bots/destroy', async (req, reply) => {
    if (gate('bots.destroy', req, reply, 'either')) return reply;
    const id = (req.body as { bot_id?: string } | undefined)?.bot_id ?? (req.query as { bot_id?: string }).bot_id;
    const bot = id ? bots.get(id) : undefined;
    if (!bot || bot.owner !== account.id) return envelope(reply, 404, null, ['bot not found']);
    bots.delete(bot.bot_id);
    return envelope(reply, 200, null);
  });

  app.post('/v3/bots/post', async (req, reply) => {
    if (gate('bots.post', req, reply, 'none')) return reply;
    const body = (req.body ?? {}) as { bot_id?: string; text?: unknown; attachments?: unknown };
    const bot = body.bot_id ? bots.get(body.bot_id) : undefined;
    if (!bot) return envelope(reply, 404, null, ['bot not found']);
    const text = typeof body.text === 'string' ? body.text : '';
    const attachments = Array.isArray(body.attachments) ? (body.attachments as FakeAttachment[]) : [];
    if (text.length > MAX_TEXT) return envelope(reply, 400, null, [`text is longer than ${MAX_TEXT} characters`]);
    if (!text && attachments.length === 0) return envelope(reply, 400, null, ['text is required']);
    for (const a of attachments) {
      if (a.type === 'image' && !(a.url.startsWith(`${base}/i/`) && pictures.has(a.url.split('.').pop() ?? ''))) {
        return envelope(reply, 400, null, ['image url must come from the image service']);
      }
      if (a.type === 'reply') {
        const target = a.reply_id ?? a.base_reply_id;
        if (!messages.some((m) => m.id === target && m.group_id === bot.group_id)) {
          return envelope(reply, 400, null, ['reply target not found']);
        }
      }
    }
    const message: FakeMessage = {
      attachments,
      avatar_url: bot.avatar_url,
      created_at: Math.floor(Date.now() / 1000),
      group_id: bot.group_id,
      id: newMessageId(),
      name: bot.name,
      sender_id: bot.bot_id,
      sender_type: 'bot',
      source_guid: randomUUID(),
      system: false,
      text,
      user_id: bot.bot_id,
    };
    messages.push(message);
    if (opts.echo !== false) setImmediate(() => void fanOut(message));
    return reply.code(202).send();
  });

  registerPictures(app, {
    gate: (req, reply) => gate('pictures', req, reply, 'header'),
    pictures,
    maxBytes: opts.maxImageBytes ?? 10 * 1024 * 1024,
    base: () => base,
  });

  base = await app.listen({ port: 0, host: '127.0.0.1' });

  return {
    url: base,
    apiUrl: `${base}/v3`,
    imageUrl: `${base}/image`,
    token,
    account,
    groups,
    bots,
    messages,
    pictures,
    calls,
    deliveries,
    /** Put the bridge account (and others) in a group. */
    addGroup(id: string, name = `Group ${id}`, members: string[] = []): FakeGroup {
      const group: FakeGroup = { id, name, members: new Set([account.id, ...members]) };
      groups.set(id, group);
      return group;
    },
    /** The account leaves a group (its bots there go with it). */
    leaveGroup(id: string): void {
      groups.get(id)?.members.delete(account.id);
      for (const b of bots.values()) if (b.group_id === id) bots.delete(b.bot_id);
    },
    /** Make the next call to `route` fail with this status (and Retry-After seconds). */
    failNext(route: FakeRoute, failure: Failure): void {
      failures.set(route, [...(failures.get(route) ?? []), failure]);
    },
    /** The account's bots in one group. */
    botsIn(groupId: string): FakeBot[] {
      return [...bots.values()].filter((b) => b.group_id === groupId);
    },
    /** Messages bots posted in one group, oldest first. */
    posted(groupId: string): FakeMessage[] {
      return messages.filter((m) => m.group_id === groupId && m.sender_type === 'bot');
    },
    /** Host an image as if a GroupMe user had uploaded it; returns its i-URL. */
    hostImage(bytes: Uint8Array, mime = 'image/png'): string {
      const id = randomBytes(16).toString('hex');
      pictures.set(id, { bytes, mime });
      return `${base}/i/100x100.${mime.split('/')[1] ?? 'jpeg'}.${id}`;
    },
    /** A person posts in a group: GroupMe sends it to every bot callback. Resolves with their HTTP statuses. */
    async userPosts(groupId: string, post: UserPost): Promise<{ message: FakeMessage; statuses: number[] }> {
      const message: FakeMessage = {
        attachments: post.attachments ?? [],
        avatar_url: post.user.avatarUrl ?? null,
        created_at: Math.floor(Date.now() / 1000),
        group_id: groupId,
        id: newMessageId(),
        name: post.system ? 'GroupMe' : post.user.name,
        sender_id: post.system ? 'system' : post.user.id,
        sender_type: post.system ? 'system' : 'user',
        source_guid: randomUUID(),
        system: post.system ?? false,
        text: post.text ?? '',
        user_id: post.system ? 'system' : post.user.id,
      };
      messages.push(message);
      return { message, statuses: await fanOut(message) };
    },
    /** Wait until every callback delivery started so far has been answered. */
    async settle(): Promise<void> {
      await new Promise((r) => setImmediate(r));
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async close(): Promise<void> {
      await Promise.allSettled([...inflight]);
      await app.close();
    },
  };
}

export type FakeGroupMe = Awaited<ReturnType<typeof startFakeGroupMe>>;
