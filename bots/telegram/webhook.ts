/**
 * Webhook mode: POST /telegram/<hash of the token> on the bridge's HTTP server, authenticated by
 * the X-Telegram-Bot-Api-Secret-Token header (the client's webhookCallback checks it: 401 when
 * wrong), registered with setWebhook at start.
 */
import { webhookCallback, type Bot } from 'node-telegram-bot-api';
import type { BotContext } from '../../src/bot.js';
import { call } from './client.js';
import { webhookPath } from './config.js';
import { ALLOWED_UPDATES } from './poller.js';

export interface WebhookOptions {
  readonly client: Bot;
  readonly token: string;
  readonly secret: string;
  readonly redact: (s: string) => string;
  /** False once the bot stopped: updates are then refused (503) so Telegram keeps them. */
  readonly running: () => boolean;
}

export async function startWebhook(ctx: BotContext, opts: WebhookOptions): Promise<void> {
  const path = webhookPath(opts.token);
  const handle = webhookCallback(opts.client, { secretToken: opts.secret });
  ctx.http.post(path, async (req, reply) => {
    if (!opts.running()) return reply.code(503).send('stopped');
    const secret = req.headers['x-telegram-bot-api-secret-token'];
    const res = await handle(
      new Request(`http://webhook${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(typeof secret === 'string' ? { 'x-telegram-bot-api-secret-token': secret } : {}),
        },
        body: JSON.stringify(req.body ?? null),
      }),
    );
    if (res.status >= 500) ctx.log.warn({ status: res.status }, 'telegram update not handled; Telegram will send it again');
    return reply.code(res.status).send(await res.text());
  });
  await call('setWebhook', opts.redact, () =>
    opts.client.api.setWebhook({
      url: `${ctx.publicUrl}${path}`,
      secret_token: opts.secret,
      allowed_updates: ALLOWED_UPDATES,
    }),
  );
}
