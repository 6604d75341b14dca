/**
 * Who administers a Telegram room: in a group, its creator and administrators
 * (`getChatMember` status `creator` or `administrator`); in a private chat with the bot, the
 * person (the chat id is their user id). A message sent on behalf of the group itself
 * (an anonymous admin: the author is the chat) counts as an admin of that chat.
 */
import type { Bot as Client } from 'node-telegram-bot-api';
import type { RoomRef } from '../../src/model.js';
import { call } from './client.js';
import { targetOf } from './rooms.js';

export const TELEGRAM_ADMINS_ARE = "on Telegram, the group's creator and administrators";

export async function isTelegramAdmin(client: Client, redact: (s: string) => string, room: RoomRef, userId: string): Promise<boolean> {
  const { chatId } = targetOf(room);
  if (chatId > 0) return String(chatId) === userId;
  if (String(chatId) === userId) return true;
  const user = Number(userId);
  if (!Number.isSafeInteger(user) || user <= 0) return false;
  const member = await call('getChatMember', redact, () => client.api.getChatMember({ chat_id: chatId, user_id: user }));
  return member.status === 'creator' || member.status === 'administrator';
}
