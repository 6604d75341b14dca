/**
 * The fake's non-message routes: auth + failure injection hook, gateway/bot, users/@me, channels,
 * channel webhooks, webhook execution/edit/delete, application commands, interaction callbacks,
 * and the attachment "CDN".
 */
import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandType,
  ChannelType,
  GatewayDispatchEvents,
  RESTJSONErrorCodes,
  WebhookType,
  type APIApplicationCommand,
  type APIUser,
  type RESTGetAPIGatewayBotResult,
  type RESTGetAPIGuildMemberResult,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiError, badWebhookName, checkContent, formError, param, query, readPayload, tooLarge } from './http-util.js';
import type { FakeDiscord, FailOptions } from './index.js';
import { snowflake } from './snowflake.js';
import { guildIdOf, pingsOf, type FakeWebhook } from './world.js';

const OPEN_ROUTES = [/^\/webhooks\/\d+\/[^/]+/, /^\/interactions\/\d+\/[^/]+\/callback$/];

export function registerOtherRoutes(app: FastifyInstance, fake: FakeDiscord): void {
  const world = fake.world;

  app.addHook('onRequest', async (req, reply) => {
    const path = (req.url.split('?')[0] ?? '').replace(/\/+$/, '');
    if (!path.startsWith('/api/v10/')) return;
    const rel = path.slice('/api/v10'.length);
    fake.requests.push(`${req.method} ${rel}`);
    const failure = fake.takeFailure(req.method, rel);
    if (failure) return fail(reply, failure);
    if (!OPEN_ROUTES.some((r) => r.test(rel)) && req.headers.authorization !== `Bot ${fake.token}`) {
      return apiError(reply, 401, 0, '401: Unauthorized');
    }
  });

  app.get('/api/v10/gateway/bot', async () => {
    const result: RESTGetAPIGatewayBotResult = {
      url: `${fake.url.replace(/^http/, 'ws')}/gateway`,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
    };
    return result;
  });

  app.get('/api/v10/users/@me', async () => fake.bot);

  app.get('/api/v10/channels/:id', async (req, reply) => {
    const c = world.channels.get(param(req, 'id'));
    return c ? world.apiChannel(c) : apiError(reply, 404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
  });

  app.get('/api/v10/guilds/:guild/members/:user', async (req, reply) => {
    const guildId = param(req, 'guild');
    const user = world.users.get(param(req, 'user'));
    if (!world.guilds.has(guildId)) return apiError(reply, 404, RESTJSONErrorCodes.UnknownGuild, 'Unknown Guild');
    const m = user ? fake.memberNoUser(guildId, user.id) : undefined;
    if (!user || !m) return apiError(reply, 404, RESTJSONErrorCodes.UnknownMember, 'Unknown Member');
    const member: RESTGetAPIGuildMemberResult = { ...m, user };
    return member;
  });

  app.get('/api/v10/channels/:id/webhooks', async (req, reply) => {
    const id = param(req, 'id');
    const denied = webhookDenied(fake, reply, id);
    if (denied) return denied;
    return [...world.webhooks.values()].filter((w) => w.channel_id === id);
  });

  app.post('/api/v10/channels/:id/webhooks', async (req, reply) => {
    const id = param(req, 'id');
    const denied = webhookDenied(fake, reply, id);
    if (denied) return denied;
    const body = (req.body ?? {}) as { name?: unknown };
    const name = typeof body.name === 'string' ? body.name : '';
    const why = badWebhookName(name);
    if (why) return formError(reply, 'name', 'BASE_TYPE_BAD_LENGTH', why);
    const channel = world.channel(id);
    const hook: FakeWebhook = {
      id: snowflake(),
      type: WebhookType.Incoming,
      channel_id: id,
      ...guildIdOf(channel),
      name,
      avatar: null,
      token: randomBytes(24).toString('base64url'),
      application_id: fake.applicationId,
      user: fake.bot,
    };
    world.webhooks.set(hook.id, hook);
    return hook;
  });

  app.post('/api/v10/webhooks/:id/:token', async (req, reply) => {
    const hook = webhookFor(fake, reply, param(req, 'id'), param(req, 'token'));
    if (!('id' in hook)) return hook;
    const channelId = targetChannel(fake, hook, query(req, 'thread_id'));
    if (!channelId) return apiError(reply, 400, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
    const payload = await readPayload(req);
    if ('tooLarge' in payload) return tooLarge(reply);
    const { body, files } = payload;
    const bad = checkContent(reply, body, files, true);
    if (bad) return bad;
    if (body.username !== undefined) {
      const why = badWebhookName(body.username);
      if (why) return formError(reply, 'username', 'USERNAME_INVALID', why);
    }
    const author: APIUser = { id: hook.id, username: body.username ?? hook.name ?? 'Captain Hook', discriminator: '0000', avatar: null, global_name: null, bot: true };
    const content = body.content ?? '';
    const message = world.createMessage(channelId, { author, content, files, webhookId: hook.id });
    fake.record({
      via: 'webhook',
      message,
      ...(body.username !== undefined ? { username: body.username } : {}),
      ...(body.avatar_url !== undefined ? { avatarUrl: body.avatar_url } : {}),
      ...(body.allowed_mentions ? { allowedMentions: body.allowed_mentions } : {}),
      pings: pingsOf(content, body.allowed_mentions),
      files,
    });
    fake.dispatchMessage(GatewayDispatchEvents.MessageCreate, message);
    const hold = fake.holdFor(message);
    if (hold) await hold;
    return query(req, 'wait') === 'true' ? message : reply.code(204).send();
  });

  app.patch('/api/v10/webhooks/:id/:token/messages/:mid', async (req, reply) => {
    const hook = webhookFor(fake, reply, param(req, 'id'), param(req, 'token'));
    if (!('id' in hook)) return hook;
    const channelId = targetChannel(fake, hook, query(req, 'thread_id')) ?? '';
    const m = world.findMessage(channelId, param(req, 'mid'));
    if (!m || m.webhook_id !== hook.id) return apiError(reply, 404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
    const payload = await readPayload(req);
    if ('tooLarge' in payload) return tooLarge(reply);
    const bad = checkContent(reply, payload.body, payload.files, false);
    if (bad) return bad;
    if (payload.body.content !== undefined) m.content = payload.body.content;
    m.edited_timestamp = new Date().toISOString();
    fake.dispatchMessage(GatewayDispatchEvents.MessageUpdate, m);
    return m;
  });

  app.delete('/api/v10/webhooks/:id/:token/messages/:mid', async (req, reply) => {
    const hook = webhookFor(fake, reply, param(req, 'id'), param(req, 'token'));
    if (!('id' in hook)) return hook;
    const channelId = targetChannel(fake, hook, query(req, 'thread_id')) ?? '';
    const m = world.findMessage(channelId, param(req, 'mid'));
    if (!m || m.webhook_id !== hook.id) return apiError(reply, 404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
    fake.removeMessage(channelId, m.id);
    return reply.code(204).send();
  });

  app.put('/api/v10/applications/:app/commands', async (req, reply) => {
    if (param(req, 'app') !== fake.applicationId) return apiError(reply, 403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
    const body = req.body as RESTPutAPIApplicationCommandsJSONBody;
    if (!Array.isArray(body)) return formError(reply, '_root', 'BASE_TYPE_ARRAY', 'Must be an array');
    const out: APIApplicationCommand[] = [];
    for (const [i, c] of body.entries()) {
      const description = 'description' in c && typeof c.description === 'string' ? c.description : '';
      if (!/^[-_\p{Ll}\p{N}]{1,32}$/u.test(c.name)) return formError(reply, `${i}.name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Invalid name');
      if (description.length < 1 || description.length > 100) return formError(reply, `${i}.description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      const options = 'options' in c && Array.isArray(c.options) ? c.options : [];
      out.push({
        id: snowflake(),
        type: ApplicationCommandType.ChatInput,
        application_id: fake.applicationId,
        name: c.name,
        description,
        options: options.map((o) => ({ ...o, description: o.description })),
        default_member_permissions: null,
        version: snowflake(),
      });
    }
    fake.commands = out;
    return out;
  });

  app.post('/api/v10/interactions/:id/:token/callback', async (req, reply) => {
    const it = fake.interactions.get(param(req, 'id'));
    if (!it || it.token !== param(req, 'token')) return apiError(reply, 404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction');
    if (it.responses.length > 0) {
      return apiError(reply, 400, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, 'Interaction has already been acknowledged.');
    }
    it.responses.push(req.body);
    return reply.code(204).send();
  });

  app.get('/attachments/:channel/:att/:name', async (req, reply) => {
    const f = world.files.get(param(req, 'att'));
    if (!f) return reply.code(404).send('not found');
    return reply.type(f.contentType).send(f.data);
  });
}

function fail(reply: FastifyReply, f: FailOptions): FastifyReply {
  if (f.status !== 429) return apiError(reply, f.status, 0, `${f.status}: injected failure`);
  const after = f.retryAfter ?? 1;
  return reply
    .code(429)
    .headers({
      'retry-after': String(Math.ceil(after)),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Date.now() / 1000 + after),
      'x-ratelimit-reset-after': String(after),
      'x-ratelimit-bucket': 'fake-bucket',
      'x-ratelimit-scope': f.global ? 'global' : 'user',
      ...(f.global ? { 'x-ratelimit-global': 'true' } : {}),
    })
    .send({ message: 'You are being rate limited.', retry_after: after, global: f.global ?? false });
}

function webhookDenied(fake: FakeDiscord, reply: FastifyReply, channelId: string): FastifyReply | null {
  const c = fake.world.channels.get(channelId);
  if (!c) return apiError(reply, 404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
  if (c.type !== ChannelType.GuildText) {
    return apiError(reply, 400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType, 'Cannot execute action on this channel type');
  }
  if (fake.deniedWebhooks.has(channelId) || fake.deniedWebhooks.has('*')) {
    return apiError(reply, 403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions');
  }
  return null;
}

function webhookFor(fake: FakeDiscord, reply: FastifyReply, id: string, token: string): FakeWebhook | FastifyReply {
  const hook = fake.world.webhooks.get(id);
  if (!hook) return apiError(reply, 404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook');
  if (hook.token !== token) return apiError(reply, 401, RESTJSONErrorCodes.InvalidWebhookToken, 'Invalid Webhook Token');
  return hook;
}

/** The webhook's channel, or a thread of it named by `thread_id`. */
function targetChannel(fake: FakeDiscord, hook: FakeWebhook, threadId: string | undefined): string | undefined {
  if (!threadId) return hook.channel_id;
  const t = fake.world.channels.get(threadId);
  return t?.parent_id === hook.channel_id ? t.id : undefined;
}
