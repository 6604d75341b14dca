/**
 * The `/sync` long-poll loop. The `since` token lives in ctx.state and is advanced only after
 * every event of a batch was ingested, so a crash or a failed ingest replays the batch (the core
 * drops redeliveries by event id). Invites are accepted with `/join`.
 */
import type { BotContext, ConnectionState } from '../../src/bot.js';
import type { Author } from '../../src/model.js';
import { DeliveryError } from '../../src/errors.js';
import { backoffMs } from '../shared/backoff.js';
import { MatrixTokenError, type MatrixClient } from './client.js';
import { isRecord, str, type MatrixEvent, type SyncResponse } from './types.js';
import { sleep } from '../../src/sleep.js';

export const SINCE_KEY = 'matrix:since';

/** What the operator is told when the homeserver rejects the bot's access token. */
export function tokenReason(err: MatrixTokenError): string {
  return (
    `the homeserver rejected MATRIX_ACCESS_TOKEN (M_UNKNOWN_TOKEN${err.softLogout ? ', soft logout: it expired' : ''}); ` +
    'the bot cannot work until it is replaced by a token that does not expire (password login or a compatibility token, see the Matrix section of the README) and the bridge restarted'
  );
}

export interface SyncOptions {
  readonly timeoutMs: number;
  /** First back-off after a failed sync or ingest; doubles up to a minute. */
  readonly retryMs: number;
  readonly handle: (roomId: string, ev: MatrixEvent) => Promise<void>;
}

const FILTER = JSON.stringify({
  presence: { types: [] },
  account_data: { types: [] },
  room: { timeline: { limit: 100 }, state: { lazy_load_members: true }, ephemeral: { types: [] }, account_data: { types: [] } },
});

export class Syncer {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private readonly members = new Map<string, Map<string, { name?: string }>>();
  private readonly profiles = new Map<string, Promise<string | undefined>>();
  /** For /readyz: up after a sync succeeded, down with the reason after one failed. */
  state: ConnectionState = { up: false, reason: 'connecting' };

  constructor(
    private readonly client: MatrixClient,
    private readonly ctx: BotContext,
    private readonly opts: SyncOptions,
  ) {}

  start(): void {
    this.loop = this.run().catch((err: unknown) => this.ctx.log.error({ err }, 'matrix sync loop ended'));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** Display name of a user in a room: member state, else the global profile, else the localpart. */
  async author(roomId: string, userId: string): Promise<Author> {
    const known = this.members.get(roomId)?.get(userId)?.name;
    if (known) return { id: userId, name: known };
    let p = this.profiles.get(userId);
    if (!p) {
      p = this.client
        .call<Record<string, unknown>>('GET', `/_matrix/client/v3/profile/${encodeURIComponent(userId)}`)
        .then((r) => str(r.displayname))
        .catch(() => undefined);
      this.profiles.set(userId, p);
    }
    return { id: userId, name: (await p) ?? localpart(userId) };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let since = (await this.ctx.state.get(SINCE_KEY)) ?? undefined;
    let failures = 0;
    while (!signal.aborted) {
      if (this.ctx.leaseHeld && !this.ctx.leaseHeld()) {
        await sleep(this.opts.retryMs * 10, signal);
        continue;
      }
      try {
        const res = await this.client.call<SyncResponse>('GET', '/_matrix/client/v3/sync', {
          query: { since, timeout: since ? this.opts.timeoutMs : 0, filter: FILTER },
          signal,
        });
        await this.ingest(res, since !== undefined);
        since = res.next_batch;
        await this.ctx.state.set(SINCE_KEY, since);
        failures = 0;
        if (!this.state.up) this.ctx.log.info('matrix sync connected');
        this.state = { up: true };
      } catch (err) {
        if (signal.aborted) break;
        const wait = err instanceof DeliveryError && err.code === 'rate_limited' && err.retryAfterMs
          ? err.retryAfterMs
          : backoffMs(this.opts.retryMs, failures);
        failures++;
        const reason = err instanceof MatrixTokenError ? tokenReason(err) : `sync failing: ${err instanceof Error ? err.message : 'unknown error'}`;
        // An expired token is said once, as an error; other failures each time, as warnings.
        if (err instanceof MatrixTokenError && (this.state.up || this.state.reason !== reason)) this.ctx.log.error({ err }, `matrix: ${reason}`);
        else if (!(err instanceof MatrixTokenError)) this.ctx.log.warn({ err, wait }, 'matrix sync failed; retrying');
        this.state = { up: false, reason };
        await sleep(wait, signal);
      }
    }
  }

  /** On the very first sync (no `since`), timelines are history: only state and invites count. */
  private async ingest(res: SyncResponse, live: boolean): Promise<void> {
    for (const roomId of Object.keys(res.rooms?.invite ?? {})) {
      try {
        await this.client.call('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { json: {} });
        this.ctx.log.info({ roomId }, 'matrix: joined room on invite');
      } catch (err) {
        this.ctx.log.warn({ err, roomId }, 'matrix: could not join invited room');
      }
    }
    for (const [roomId, room] of Object.entries(res.rooms?.join ?? {})) {
      for (const ev of room.state?.events ?? []) this.remember(roomId, ev);
      if (room.timeline?.limited && live) this.ctx.log.warn({ roomId }, 'matrix: timeline gap, some events were skipped');
      for (const ev of room.timeline?.events ?? []) {
        this.remember(roomId, ev);
        if (live) await this.opts.handle(roomId, ev);
      }
    }
  }

  private remember(roomId: string, ev: MatrixEvent): void {
    if (ev.type !== 'm.room.member' || !ev.state_key) return;
    let room = this.members.get(roomId);
    if (!room) this.members.set(roomId, (room = new Map()));
    const name = isRecord(ev.content) ? str(ev.content.displayname) : undefined;
    room.set(ev.state_key, name ? { name } : {});
  }
}

export function localpart(userId: string): string {
  return userId.replace(/^@/, '').replace(/:.*$/, '');
}
