/**
 * The fake Mattermost server's data: users (with tokens), teams, channels, posts and files,
 * shaped like REST API v4 objects (model/post.go, model/file_info.go).
 */
import { randomBytes } from 'node:crypto';

export interface User {
  id: string;
  username: string;
  first_name: string;
  last_name: string;
  nickname: string;
  is_bot: boolean;
}

export interface Channel {
  id: string;
  team_id: string;
  type: 'O' | 'P' | 'D' | 'G';
  name: string;
  display_name: string;
  members: Set<string>;
}

export interface FileInfo {
  id: string;
  user_id: string;
  post_id: string;
  channel_id: string;
  create_at: number;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
}

export interface Post {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  file_ids: string[];
  pending_post_id: string;
  metadata: { files?: FileInfo[] };
}

/** Mattermost ids: 26 characters of lowercase base32. */
export function newId(): string {
  const alphabet = 'ybndrfg8ejkmcpqxot1uwisza345h769';
  return Array.from(randomBytes(26), (b) => alphabet[b % 32]).join('');
}

export class Model {
  readonly users = new Map<string, User>();
  readonly tokens = new Map<string, string>();
  readonly teams = new Map<string, { id: string; name: string; display_name: string }>();
  readonly channels = new Map<string, Channel>();
  readonly posts = new Map<string, Post>();
  readonly files = new Map<string, { info: FileInfo; bytes: Buffer }>();

  addUser(username: string, opts: { token?: string; is_bot?: boolean; first_name?: string; last_name?: string; nickname?: string } = {}): User {
    const user: User = {
      id: newId(),
      username,
      first_name: opts.first_name ?? '',
      last_name: opts.last_name ?? '',
      nickname: opts.nickname ?? '',
      is_bot: opts.is_bot ?? false,
    };
    this.users.set(user.id, user);
    this.tokens.set(opts.token ?? newId(), user.id);
    return user;
  }

  tokenOf(userId: string): string {
    for (const [t, u] of this.tokens) if (u === userId) return t;
    throw new Error(`no token for ${userId}`);
  }

  newPost(userId: string, channelId: string, message: string, extra: Partial<Post> = {}): Post {
    const now = Date.now();
    const post: Post = {
      id: newId(),
      create_at: now,
      update_at: now,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: userId,
      channel_id: channelId,
      root_id: '',
      original_id: '',
      message,
      type: '',
      props: {},
      hashtags: '',
      file_ids: [],
      pending_post_id: '',
      metadata: {},
      ...extra,
    };
    this.attachFiles(post, userId, post.file_ids);
    this.posts.set(post.id, post);
    return post;
  }

  /**
   * Set a post's files to those of `ids` that `userId` uploaded and no other post holds (others
   * are dropped silently); files the post held before and `ids` no longer lists are let go.
   */
  attachFiles(post: Post, userId: string, ids: readonly string[]): void {
    for (const id of post.file_ids) {
      const f = this.files.get(id);
      if (f?.info.post_id === post.id && !ids.includes(id)) f.info.post_id = '';
    }
    const files = ids
      .map((id) => this.files.get(id))
      .filter((f): f is { info: FileInfo; bytes: Buffer } => !!f && f.info.user_id === userId && (!f.info.post_id || f.info.post_id === post.id));
    for (const f of files) f.info.post_id = post.id;
    post.file_ids = files.map((f) => f.info.id);
    const { files: _held, ...rest } = post.metadata;
    post.metadata = files.length ? { ...rest, files: files.map((f) => f.info) } : rest;
  }

  addFile(userId: string, channelId: string, name: string, mime: string, bytes: Buffer): FileInfo {
    const info: FileInfo = {
      id: newId(),
      user_id: userId,
      post_id: '',
      channel_id: channelId,
      create_at: Date.now(),
      name,
      extension: name.includes('.') ? (name.split('.').pop() ?? '') : '',
      size: bytes.byteLength,
      mime_type: mime,
    };
    this.files.set(info.id, { info, bytes });
    return info;
  }
}
