/** What commands and the relay use of the core: built once by the bridge and injected. */
import type { Logger } from 'pino';
import type { Bot } from './bot.js';
import type { Codes } from './codes.js';
import type { Config } from './config.js';
import type { Files } from './files.js';
import type { Links } from './links.js';
import type { Lockout } from './lockout.js';
import type { PlatformInfo } from './platform.js';
import type { MessageMap } from './messagemap.js';
import type { RoomKey, RoomRef } from './model.js';
import type { DeliveryQueue } from './queue/queue.js';
import type { RecentMessages } from './recent.js';
import type { Rooms } from './rooms.js';
import type { SecEntry, SecurityLog } from './seclog.js';
import type { Store } from './store/store.js';
import type { Tubes } from './tubes.js';

export interface Services {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly tubes: Tubes;
  readonly codes: Codes;
  readonly rooms: Rooms;
  readonly map: MessageMap;
  /** each room's recent posts, for context on connect */
  readonly recent: RecentMessages;
  readonly seclog: SecurityLog;
  readonly files: Files;
  readonly queue: DeliveryQueue;
  /** portal, connect and map links */
  readonly links: Links;
  /** failed `connect` attempts, per room, person and client address (increment, then check) */
  readonly connectAttempts: Lockout;
  bot(platform: string): Bot | undefined;
  /** what a platform's descriptor says about it (display name, what it cannot do) */
  platform(name: string): PlatformInfo;
  /** A room's human name: `#general (Slack)`. */
  roomName(room: RoomKey): Promise<string>;
  /** Post a bridge notice to a room through the queue (durable, in order with copies). */
  notify(room: RoomKey, text: string): Promise<void>;
  /** The room's tenant: whose security log its events go to (src/seclog.ts). */
  tenant(room: RoomRef): string;
  /** Append to the security log of the room's tenant (the room is shown by its name). */
  audit(room: RoomRef, entry: Omit<SecEntry, 'ts' | 'room' | 'label'>): Promise<void>;
}
