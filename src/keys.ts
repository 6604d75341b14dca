/**
 * Every store key name, built in one place. Keys are single-key-addressed, so each may live on
 * any Redis Cluster node; a `{…}` hash tag marks keys that must share a node (queue shards with
 * their own lease). The store prepends its namespace.
 */
import type { RoomKey, TubeId } from './model.js';

export const keys = {
  /** tube record (hash: a, b, createdAt, by) */
  tube: (id: TubeId) => `tube:${id}`,
  /** messages a paused tube did not carry from `from`'s side (counter) */
  tubeHeld: (id: TubeId, from: RoomKey) => `tube:${id}:held:${from}`,
  /** a room's recent posts, for context on connect (capped list of JSON entries) */
  recent: (room: RoomKey) => `room:${room}:recent`,
  /** set of tube ids touching a room */
  roomTubes: (room: RoomKey) => `room:${room}:tubes`,
  /** the tube id between two rooms, whichever order (unique pair guard) */
  pair: (a: RoomKey, b: RoomKey) => `pair:${a < b ? `${a}|${b}` : `${b}|${a}`}`,
  /** bumped on every tube change: cached components are valid while it stands */
  topology: () => 'topology:version',
  /** per-room settings (hash: direction, format, log, name, portal) */
  roomSettings: (room: RoomKey) => `room:${room}:settings`,
  /** every room the bridge has seen, for the portal and map (hash room → name) */
  code: (code: string) => `code:${code}`,
  portal: (secret: string) => `portal:${secret}`,
  mapLink: (token: string) => `maplink:${token}`,
  /** inbound event already accepted (platform event id) */
  seen: (platform: string, eventId: string) => `seen:${platform}:${eventId}`,
  /** message map: the group a message (origin or copy) belongs to */
  mapIndex: (room: RoomKey, id: string) => `msg:${room}:${id}`,
  /** message map: group record (hash: room key → JSON ids, plus _origin, _text) */
  mapGroup: (group: string) => `grp:${group}`,
  /** connect attempts / successful connects in the current window, per scope (room, person, client address) */
  connectAttempts: (scope: string) => `rl:connect:${scope}:n`,
  connectSuccesses: (scope: string) => `rl:connect:${scope}:ok`,
  /** security log of a tenant (list of JSON entries) and its subscribed rooms */
  secLog: (tenant: string) => `seclog:${tenant}`,
  secLogSubs: (tenant: string) => `seclog:${tenant}:subs`,
  /** a platform's raw inbound events not yet accepted (hash: message id → JSON {at, raw}) */
  inbox: (platform: string) => `inbox:${platform}`,
  /** portal: the revocable connect link of a room (token → room key), shown in the admin view only */
  portalConnect: (token: string) => `portalconnect:${token}`,
  /** portal: marks a web room made as a portal's guest chat (guests may only talk, `help` and `ping`) */
  guestRoom: (room: RoomKey) => `guestroom:${room}`,
  /** a web room's admins (set of web author ids: its creator and whom they promote) */
  webAdmins: (id: string) => `web:${id}:admins`,
  /** a web room's creator (the first to join it; empty for portal guest rooms) */
  webCreator: (id: string) => `web:${id}:creator`,
  /** a bot's own persistent state */
  botState: (platform: string, key: string) => `bot:${platform}:${key}`,
  /** stored attachment bytes and metadata */
  file: (id: string) => `file:${id}`,
  fileMeta: (id: string) => `file:${id}:meta`,
  /** Bytes stored today by one room or one client address (`scope` room|addr). */
  fileBudget: (scope: string, who: string) => `filebudget:${scope}:${who}`,
  /** embedded queue: jobs not yet acknowledged */
  pendingJobs: () => 'queue:pending',
  /** a queue shard's stream of jobs for one target platform; a shard's streams and its lease share a hash tag */
  queueStream: (shard: number, platform: string) => `{q${shard}}:stream:${platform}`,
  queueLease: (shard: number) => `{q${shard}}:lease`,
  /** target platforms the queue has streams for (set) */
  queuePlatforms: () => 'queue:platforms',
  deadLetters: () => 'queue:dead',
  /** live bridge processes (hash: process id → last heartbeat ms) */
  processes: () => 'processes',
  /** single-connection leases (Discord gateway, Telegram polling, ...) */
  lease: (name: string) => `{lease:${name}}`,
  /** web platform: the pub/sub channel of live changes to web rooms */
  webLive: () => 'web:live',
  /** web platform: room record and history */
  webRoom: (id: string) => `web:${id}`,
  webHistory: (id: string) => `web:${id}:history`,
  /** web platform: the counter numbering a room's messages (`seq`) */
  webSeq: (id: string) => `web:${id}:seq`,
  /** web platform: one message record (JSON, edits and deletes applied in place) */
  webMessage: (id: string, messageId: string) => `web:${id}:msg:${messageId}`,
  /** portal: the guest web room made for a portal secret (room key) */
  portalGuest: (secret: string) => `portal:${secret}:guest`,
} as const;
