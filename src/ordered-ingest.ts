/**
 * Ordered ingest for platforms that answer their webhook before the core has the event
 * (GroupMe: it does not redeliver a callback, so answering with an error would not help).
 *
 * The policy, for every bot that uses it: events of one room reach the core in the order they
 * came, one at a time; an event the core could not accept (store unreachable, …) is retried with
 * back-off until it is accepted or the bridge stops: never dropped while the process runs. The
 * room's later events wait behind it, so order holds.
 */
import type { Logger } from 'pino';
import type { Inbound } from './model.js';
import { roomKey } from './model.js';
import { sleep } from './sleep.js';

export interface OrderedIngestOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class OrderedIngest {
  private readonly chains = new Map<string, Promise<void>>();
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

  /** Queue `event` behind its room's earlier ones; resolves once the core accepted it (or the bridge stopped). */
  submit(event: Inbound, ingest: (event: Inbound) => Promise<void>): Promise<void> {
    const key = roomKey(event.room);
    const next = (this.chains.get(key) ?? Promise.resolve()).then(() => this.untilAccepted(event, ingest));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  private async untilAccepted(event: Inbound, ingest: (event: Inbound) => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await ingest(event);
        return;
      } catch (err) {
        if (this.stopping.signal.aborted) {
          this.log.error({ err, eventId: event.eventId, room: roomKey(event.room) }, 'inbound event not accepted before stop');
          return;
        }
        const delayMs = Math.min(this.base * 2 ** attempt, this.max);
        this.log.warn({ err, eventId: event.eventId, attempt: attempt + 1, delayMs }, 'inbound event not accepted; retrying');
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }

  /** Events in flight, to wait for at stop. */
  idle(): Promise<void> {
    return Promise.all([...this.chains.values()]).then(() => undefined);
  }

  /** Stop retrying (one last try each), then wait for the chains. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }
}
