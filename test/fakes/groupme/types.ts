/**
 * GroupMe shapes as the fake serves them, written from dev.groupme.com/docs/v3 (bots, groups,
 * messages), the image service docs and the bot tutorial's callback example. Kept apart from
 * bots/groupme/types.ts on purpose: a field the bot gets wrong must not be wrong here too.
 */

export interface FakeUser {
  readonly id: string;
  readonly name: string;
  readonly avatarUrl?: string;
}

export interface FakeGroup {
  readonly id: string;
  readonly name: string;
  readonly members: Set<string>;
}

/** A bot as `GET /bots` lists it. */
export interface FakeBot {
  readonly bot_id: string;
  readonly group_id: string;
  readonly name: string;
  readonly avatar_url: string | null;
  readonly callback_url: string | null;
  readonly dm_notification: boolean;
  /** The user whose token created it. */
  readonly owner: string;
}

export type FakeAttachment =
  | { type: 'image'; url: string }
  | { type: 'video'; url: string; preview_url?: string }
  | { type: 'reply'; reply_id?: string; base_reply_id: string; user_id?: string }
  | { type: 'mentions'; user_ids: string[]; loci: [number, number][] }
  | { type: 'location'; name: string; lat: string; lng: string }
  | { type: 'emoji'; placeholder: string; charmap: [number, number][] };

/** A group message, exactly what GroupMe POSTs to every bot callback of the group. */
export interface FakeMessage {
  readonly attachments: FakeAttachment[];
  readonly avatar_url: string | null;
  readonly created_at: number;
  readonly group_id: string;
  readonly id: string;
  readonly name: string;
  readonly sender_id: string;
  readonly sender_type: 'user' | 'bot' | 'system';
  readonly source_guid: string;
  readonly system: boolean;
  readonly text: string;
  readonly user_id: string;
}

/** The user-API reply envelope. */
export interface Envelope<T> {
  readonly response: T | null;
  readonly meta: { readonly code: number; readonly errors?: string[] };
}

/** Routes a test can make fail once with `failNext`. */
export type FakeRoute = 'groups' | 'bots.list' | 'bots.create' | 'bots.destroy' | 'bots.post' | 'pictures';

export interface Failure {
  readonly status: number;
  /** Seconds, sent as `Retry-After`. */
  readonly retryAfter?: number;
}
