/**
 * A platform with no network: `send` returns at once and records how long after the inbound
 * event (stamped into the text as `@<clock ms>`) the copy reached it.
 */
import type { Bot, BotContext } from '../src/bot.js';
import type { Capabilities, OutboundPost, RemoteMessageId, RoomRef } from '../src/model.js';
import { clock } from './stats.js';

export class NullBot implements Bot {
  readonly capabilities: Capabilities = { maxTextLength: 4000, maxFileBytes: 0, impersonate: true, replies: true };
  ctx: BotContext | undefined;
  /** latency (ms) from inbound to send, one per delivery since the last reset (while `record`) */
  latencies: number[] = [];
  record = true;
  sent = 0;
  /** clock() of the last send */
  lastAt = 0;
  private next = 0;

  constructor(readonly platform: string) {}

  async start(ctx: BotContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {}

  async send(post: OutboundPost): Promise<RemoteMessageId[]> {
    const now = clock();
    const sentAt = Number(post.text.slice(post.text.lastIndexOf('@') + 1));
    if (this.record && Number.isFinite(sentAt) && sentAt > 0) this.latencies.push(now - sentAt);
    this.sent++;
    this.lastAt = now;
    return [`n${this.next++}` as RemoteMessageId];
  }

  async say(_room: RoomRef, _text: string): Promise<RemoteMessageId[]> {
    return [`s${this.next++}` as RemoteMessageId];
  }

  /** Hand back what was recorded and start afresh. */
  take(): { latencies: number[]; sent: number; lastAt: number } {
    const out = { latencies: this.latencies, sent: this.sent, lastAt: this.lastAt };
    this.latencies = [];
    this.sent = 0;
    this.lastAt = 0;
    return out;
  }
}
