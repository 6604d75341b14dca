/**
 * Ordered ingest for platforms that answer their webhook before the core has the event
 * (GroupMe: it does not redeliver a callback, so answering with an error would not help).
 *
 * The policy, for every bot that uses it: events of one room reach the core in the order they
 * came, one at a time; an event the core could not accept (store unreachable, …) is retried with
 * back-off until it is accepted or the bridge stops. The room's later events wait behind it, so
 * order holds. What outlives the process is the bot's durable inbox (BotContext.inbox): the raw
 * event is kept there before the platform is answered, dropped once accepted, and replayed at the
 * next start (the core's redelivery check makes a replay of an accepted event harmless).
 */
import type { Logger } from 'pino';
import type { Inbound } from './model.js';
import { roomKey } from './model.js';
import { sleep } from './sleep.js';

/**
 * Jobs run one at a time per key, in the order they were added; a failed job does not hold up
 * the next. The one ordering chain of the code base (ordered ingest, Slack's channels).
 */
export class KeyedChain {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `job` after the key's earlier jobs; resolves or rejects as the job does. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(job);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Every job added so far has settled. */
  idle(): Promise<void> {
    return Promise.all([...this.tails.values()]).then(() => undefined);
  }
}

export interface OrderedIngestOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class OrderedIngest {
  private readonly chain = new KeyedChain();
  private readonly stopping = new AbortController();
  private readonly base: number;
  private readonly max: number;

  constructor(
    private readonly log: Logger,
    opts: OrderedIngestOptions = {},
  ) {
    this.base = opts.baseDelayMs ?? 250;
    this.max = opts.maxDelayMs ?? 30_000;
  }

  /**
   * Queue `event` behind its room's earlier ones; resolves with true once the core accepted it,
   * false when the bridge stopped first. Never rejects.
   */
  submit(event: Inbound, ingest: (event: Inbound) => Promise<void>): Promise<boolean> {
    return this.chain.run(roomKey(event.room), () => this.untilAccepted(event, ingest));
  }

  private async untilAccepted(event: Inbound, ingest: (event: Inbound) => Promise<void>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await ingest(event);
        return true;
      } catch (err) {
        if (this.stopping.signal.aborted) {
          this.log.error({ err, eventId: event.eventId, room: roomKey(event.room) }, 'inbound event not accepted before stop');
          return false;
        }
        const delayMs = Math.min(this.base * 2 ** attempt, this.max);
        this.log.warn({ err, eventId: event.eventId, attempt: attempt + 1, delayMs }, 'inbound event not accepted; retrying');
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }

  /** Events in flight, to wait for at stop. */
  idle(): Promise<void> {
    return this.chain.idle();
  }

  /** Stop retrying (one last try each), then wait for the chains. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }
}
