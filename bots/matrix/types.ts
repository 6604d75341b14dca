/**
 * The slice of the Matrix Client-Server API (v1.11+) the bot uses, as plain types.
 * Field names follow the spec (`data/api/client-server/*.yaml` in matrix-org/matrix-spec).
 */

export interface MatrixEvent {
  readonly event_id: string;
  readonly type: string;
  readonly sender: string;
  readonly origin_server_ts?: number;
  readonly content: Record<string, unknown>;
  readonly state_key?: string;
  /** Top-level in room versions ≤ 10; in `content.redacts` from v11. */
  readonly redacts?: string;
  readonly unsigned?: { readonly transaction_id?: string; readonly redacted_because?: unknown };
}

export interface StrippedStateEvent {
  readonly type: string;
  readonly sender: string;
  readonly state_key: string;
  readonly content: Record<string, unknown>;
}

export interface JoinedRoomSync {
  readonly timeline?: { readonly events?: MatrixEvent[]; readonly limited?: boolean; readonly prev_batch?: string };
  readonly state?: { readonly events?: MatrixEvent[] };
}

export interface SyncResponse {
  readonly next_batch: string;
  readonly rooms?: {
    readonly join?: Record<string, JoinedRoomSync>;
    readonly invite?: Record<string, { readonly invite_state?: { readonly events?: StrippedStateEvent[] } }>;
    readonly leave?: Record<string, unknown>;
  };
}

/** `m.relates_to` as the bot reads and writes it. */
export interface RelatesTo {
  readonly rel_type?: string;
  readonly event_id?: string;
  readonly is_falling_back?: boolean;
  readonly 'm.in_reply_to'?: { readonly event_id?: string };
}

/** `m.room.message` content the bot sends. */
export interface MessageContent {
  msgtype: string;
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  filename?: string;
  url?: string;
  info?: { mimetype?: string; size?: number };
  'm.relates_to'?: RelatesTo;
  'm.new_content'?: Omit<MessageContent, 'm.relates_to' | 'm.new_content'>;
  /** Intentional mentions (MSC3952, spec v1.7): empty means "pings nobody". */
  'm.mentions'?: { user_ids?: string[]; room?: boolean };
}

export { isRecord, str } from '../shared/json.js';

/** `!opaque:example.org` → `example.org`; room ids without a server part (room v12) → undefined. */
export function roomServer(roomId: string): string | undefined {
  const i = roomId.indexOf(':');
  return i > 0 ? roomId.slice(i + 1) : undefined;
}

/** `mxc://server/media` → its two parts, or undefined. */
export function parseMxc(uri: string): { server: string; mediaId: string } | undefined {
  const m = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(uri);
  return m ? { server: m[1] as string, mediaId: m[2] as string } : undefined;
}
