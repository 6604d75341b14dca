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
  /** failed connect attempts in the current window */
  connectFailures: (scope: string) => `rl:connect:${scope}`,
  /** security log of a workspace (list of JSON entries) and its subscribed rooms */
  secLog: (workspace: string) => `seclog:${workspace}`,
  secLogSubs: (workspace: string) => `seclog:${workspace}:subs`,
  /** a platform's raw inbound events not yet accepted (hash: message id → JSON {at, raw}) */
  inbox: (platform: string) => `inbox:${platform}`,
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
