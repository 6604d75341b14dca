/**
 * The Slack bot's catch-up state (its own state, shared by every process): per channel heard,
 * the newest ts ingested (`last:<channel>`, the watermark) and the threads recently active
 * there (`threads:<channel>`); the channels heard (`channels`). And Slack ts arithmetic.
 */
import type { BotState } from '../../src/bot.js';

export const CHANNELS_KEY = 'channels';
export const lastKey = (channel: string): string => `last:${channel}`;
export const threadsKey = (channel: string): string => `threads:${channel}`;

/** Threads remembered per channel as recently active. */
export const DEFAULT_REMEMBERED_THREADS = 20;
/** Compares two Slack ts values (`seconds.micros`) as numbers. */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  const d = Number(as) - Number(bs);
  if (d !== 0) return Math.sign(d);
  return Math.sign(Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0')));
}

/** The later of two ts values (either may be missing). */
export function laterTs(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareTs(a, b) >= 0 ? a : b;
}

/**
 * The catch-up state of the bot's channels: the watermark (the newest ts ingested), written
 * only when it grows, with the channel list written when a channel is heard for the first time;
 * and the threads recently active, written when a thread is not already the most recent one.
 */
export class Watermarks {
  private readonly last = new Map<string, string>();
  private readonly known = new Set<string>();
  private readonly newestThread = new Map<string, string>();
  /** Thread-list writes, one at a time (a lost write would only drop a hint, but order is cheap). */
  private threadWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: BotState,
    private readonly maxThreads = DEFAULT_REMEMBERED_THREADS,
  ) {}

  /** Channels heard before, with their watermark. */
  async load(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const channel of parseList(await this.state.get(CHANNELS_KEY))) {
      this.known.add(channel);
      const ts = await this.state.get(lastKey(channel));
      if (!ts) continue;
      this.last.set(channel, ts);
      out.set(channel, ts);
    }
    return out;
  }

  async record(channel: string, ts: string): Promise<void> {
    const prev = this.last.get(channel);
    if (prev !== undefined && compareTs(ts, prev) <= 0) return;
    this.last.set(channel, ts);
    await this.state.set(lastKey(channel), ts);
    if (!this.known.has(channel)) {
      // Read again right before writing: another process may have added a channel meanwhile.
      const list = parseList(await this.state.get(CHANNELS_KEY));
      if (!list.includes(channel)) await this.state.set(CHANNELS_KEY, JSON.stringify([...list, channel]));
      this.known.add(channel);
    }
  }

  /** The channel's recently active threads (parent ts), most recent first. */
  async threads(channel: string): Promise<string[]> {
    return parseList(await this.state.get(threadsKey(channel)));
  }

  /** A reply was posted in the thread `parent` (heard, caught up, or a copy the bot posted). */
  touchThread(channel: string, parent: string): Promise<void> {
    if (this.newestThread.get(channel) === parent) return Promise.resolve();
    return this.updateThreads(channel, (list) => [parent, ...list.filter((t) => t !== parent)]);
  }

  /** Threads that are gone (conversations.replies: thread_not_found). */
  forgetThreads(channel: string, gone: readonly string[]): Promise<void> {
    return this.updateThreads(channel, (list) => list.filter((t) => !gone.includes(t)));
  }

  private updateThreads(channel: string, change: (list: string[]) => string[]): Promise<void> {
    const write = async (): Promise<void> => {
      // Read right before writing: other processes add threads too.
      const list = parseList(await this.state.get(threadsKey(channel)));
      const next = change(list).slice(0, this.maxThreads);
      if (next[0] !== undefined) this.newestThread.set(channel, next[0]);
      else this.newestThread.delete(channel);
      if (next.length !== list.length || next.some((t, i) => t !== list[i])) await this.state.set(threadsKey(channel), JSON.stringify(next));
    };
    const done = this.threadWrites.then(write);
    this.threadWrites = done.catch(() => undefined);
    return done;
  }
}

function parseList(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
