/** A platform with no network: records when each copy reached its send call. */
import type { Bot, BotContext } from '../src/bot.js';
import type { Capabilities, OutboundPost, RemoteMessageId, RoomRef } from '../src/model.js';

export class NullBot implements Bot {
  readonly capabilities: Capabilities = { maxTextLength: 4000, maxFileBytes: 0, impersonate: true, replies: true };
  ctx: BotContext | undefined;
  /** latency (ms) from inbound to send, one per delivery */
  readonly latencies: number[] = [];
  sent = 0;
  private next = 0;
  onSend: (() => void) | undefined;

  constructor(readonly platform: string) {}

  async start(ctx: BotContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const sentAt = Number(post.text.slice(post.text.lastIndexOf('@') + 1));
    if (Number.isFinite(sentAt)) this.latencies.push(performance.now() - sentAt);
    this.sent++;
    this.onSend?.();
    return [`n${this.next++}` as RemoteMessageId];
  }

  async say(_room: RoomRef, _text: string): Promise<RemoteMessageId[]> {
    return [`s${this.next++}` as RemoteMessageId];
  }
}
