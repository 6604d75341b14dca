/**
 * Room ids: a chat is `<chat id>`; a forum topic is `<chat id>/<message_thread_id>`.
 * Telegram has no workspace level.
 */
import { DeliveryError } from '../../src/errors.js';
import type { RemoteMessageId, RoomRef } from '../../src/model.js';

export const PLATFORM = 'telegram';

export interface ChatTarget {
  readonly chatId: number;
  /** Forum topic to post into. */
  readonly threadId?: number;
}

export function roomOf(chatId: number, threadId?: number): RoomRef {
  return { platform: PLATFORM, channel: threadId === undefined ? String(chatId) : `${chatId}/${threadId}` };
}

export function targetOf(room: RoomRef): ChatTarget {
  const m = /^(-?\d+)(?:\/(\d+))?$/.exec(room.channel);
  if (room.platform !== PLATFORM || !m) throw new DeliveryError('not_found', `not a telegram room: ${room.channel}`);
  const chatId = Number(m[1]);
  return m[2] === undefined ? { chatId } : { chatId, threadId: Number(m[2]) };
}

export function messageIdOf(id: RemoteMessageId): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new DeliveryError('not_found', `not a telegram message id: ${id}`);
  return n;
}
