/**
 * The slice of the Mattermost REST API v4 and WebSocket API the bot uses
 * (api reference at developers.mattermost.com; model/post.go, model/websocket_message.go).
 */

export interface MmUser {
  readonly id: string;
  readonly username: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly nickname?: string;
  readonly is_bot?: boolean;
}

export interface MmChannel {
  readonly id: string;
  readonly team_id: string;
  readonly type: string;
  readonly name: string;
  readonly display_name: string;
}

export interface MmTeam {
  readonly id: string;
  readonly name: string;
  readonly display_name: string;
}

export interface MmFileInfo {
  readonly id: string;
  readonly name: string;
  readonly extension?: string;
  readonly size: number;
  readonly mime_type: string;
}

export interface MmPost {
  readonly id: string;
  readonly create_at: number;
  readonly update_at: number;
  readonly edit_at: number;
  readonly delete_at: number;
  readonly user_id: string;
  readonly channel_id: string;
  readonly root_id: string;
  readonly message: string;
  readonly type: string;
  readonly props?: Record<string, unknown>;
  readonly file_ids?: string[];
  readonly metadata?: { readonly files?: MmFileInfo[] };
}

/**
 * Body of `PUT /posts/{id}/patch`: only the fields present change. `props`, when sent,
 * replaces the whole props map (it is not merged), so leave it out to keep the override props.
 */
export interface MmPostPatch {
  readonly message?: string;
  readonly is_pinned?: boolean;
  readonly file_ids?: string[];
  readonly has_reactions?: boolean;
  readonly props?: Record<string, unknown>;
}

/** Props that make a post appear under another name (needs the server's override settings). */
export interface OverrideProps {
  override_username?: string;
  override_icon_url?: string;
  from_webhook?: 'true';
  [key: string]: unknown;
}

/** A server → client WebSocket frame: an event, or a reply to one of our requests. */
export interface MmWsEvent {
  readonly event?: string;
  readonly data?: Record<string, unknown>;
  readonly broadcast?: { readonly channel_id?: string; readonly team_id?: string; readonly user_id?: string };
  readonly seq?: number;
  readonly status?: string;
  readonly seq_reply?: number;
  readonly error?: unknown;
}

export { isRecord, str } from '../shared/json.js';

/** Mattermost counts message length in runes (code points), not UTF-16 units. */
export function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
