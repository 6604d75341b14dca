/** The fake's channel message routes: list (after/before/limit), get, create (JSON + multipart), edit, delete. */
import { GatewayDispatchEvents, RESTJSONErrorCodes, type APIMessage } from 'discord-api-types/v10';
import type { FastifyInstance } from 'fastify';
import { apiError, checkContent, formError, param, query, readPayload, tooLarge } from './http-util.js';
import type { FakeDiscord } from './index.js';
import { compareSnowflakes } from './snowflake.js';
import { pingsOf } from './world.js';

/** How long Discord remembers an enforced nonce (a few minutes). */
const NONCE_TTL_MS = 5 * 60_000;

export function registerMessageRoutes(app: FastifyInstance, fake: FakeDiscord): void {
  const world = fake.world;
  const nonces = new Map<string, { id: string; at: number }>();

  app.get('/api/v10/channels/:id/messages', async (req, reply) => {
    const id = param(req, 'id');
    if (!world.channels.has(id)) return apiError(reply, 404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
    const limit = Math.min(100, Math.max(1, Number(query(req, 'limit') ?? 50)));
    const after = query(req, 'after');
    const before = query(req, 'before');
    let list = world.history(id);
    if (after) list = list.filter((m) => compareSnowflakes(m.id, after) > 0).slice(0, limit);
    else if (before) list = list.filter((m) => compareSnowflakes(m.id, before) < 0).slice(-limit);
    else list = list.slice(-limit);
    // Discord returns newest first.
    return list.reverse();
  });

  app.get('/api/v10/channels/:id/messages/:mid', async (req, reply) => {
    const m = world.findMessage(param(req, 'id'), param(req, 'mid'));
    return m ?? apiError(reply, 404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
  });

  app.post('/api/v10/channels/:id/messages', async (req, reply) => {
    const channelId = param(req, 'id');
    if (!world.channels.has(channelId)) return apiError(reply, 404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
    const payload = await readPayload(req);
    if ('tooLarge' in payload) return tooLarge(reply);
    const { body, files } = payload;
    const bad = checkContent(reply, body, files, true);
    if (bad) return bad;
    if (typeof body.nonce === 'string' && body.nonce.length > 25) {
      return formError(reply, 'nonce', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    }
    const nonceKey = body.nonce !== undefined && body.enforce_nonce ? `${channelId}:${String(body.nonce)}` : undefined;
    const seen = nonceKey ? nonces.get(nonceKey) : undefined;
    if (seen && Date.now() - seen.at < NONCE_TTL_MS) {
      const earlier = world.findMessage(channelId, seen.id);
      if (earlier) {
        fake.nonceReplays++;
        return earlier;
      }
    }
    let reference: APIMessage | undefined;
    const ref = body.message_reference;
    if (ref?.message_id) {
      reference = world.findMessage(ref.channel_id ?? channelId, ref.message_id);
      if (!reference && ref.fail_if_not_exists !== false) {
        return formError(reply, 'message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
      }
    }
    const content = body.content ?? '';
    const message = world.createMessage(channelId, {
      author: fake.bot,
      content,
      files,
      ...(reference ? { reference } : {}),
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
    });
    if (nonceKey) nonces.set(nonceKey, { id: message.id, at: Date.now() });
    fake.record({
      via: 'bot',
      message,
      ...(body.allowed_mentions ? { allowedMentions: body.allowed_mentions } : {}),
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
      pings: pingsOf(content, body.allowed_mentions),
      files,
    });
    fake.dispatchMessage(GatewayDispatchEvents.MessageCreate, message);
    const hold = fake.holdFor(message);
    if (hold) await hold;
    return message;
  });

  app.patch('/api/v10/channels/:id/messages/:mid', async (req, reply) => {
    const m = world.findMessage(param(req, 'id'), param(req, 'mid'));
    if (!m) return apiError(reply, 404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
    if (m.author.id !== fake.bot.id) {
      return apiError(reply, 403, RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser, 'Cannot edit a message authored by another user');
    }
    const payload = await readPayload(req);
    if ('tooLarge' in payload) return tooLarge(reply);
    const bad = checkContent(reply, payload.body, payload.files, false);
    if (bad) return bad;
    if (payload.body.content !== undefined) m.content = payload.body.content;
    m.edited_timestamp = new Date().toISOString();
    fake.dispatchMessage(GatewayDispatchEvents.MessageUpdate, m);
    return m;
  });

  app.delete('/api/v10/channels/:id/messages/:mid', async (req, reply) => {
    const channelId = param(req, 'id');
    const m = world.findMessage(channelId, param(req, 'mid'));
    if (!m) return apiError(reply, 404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
    // The bot has no Manage Messages here: it can delete only its own messages.
    if (m.author.id !== fake.bot.id) return apiError(reply, 403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions');
    fake.removeMessage(channelId, m.id);
    return reply.code(204).send();
  });
}
