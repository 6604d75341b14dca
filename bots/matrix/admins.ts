/**
 * Who administers a Matrix room: a user whose power level is at least 50 (moderator) in the
 * room's `m.room.power_levels` (`users[id]`, else `users_default`). A room without that event
 * gives its creator 100 and everyone else 0, as the spec says.
 */
import { DeliveryError } from '../../src/errors.js';
import type { MatrixClient } from './client.js';

export const MATRIX_ADMINS_ARE = 'on Matrix, people with power level 50 (moderator) or more';
const ADMIN_LEVEL = 50;

const level = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export async function isMatrixAdmin(client: MatrixClient, roomId: string, userId: string): Promise<boolean> {
  const state = (type: string): Promise<Record<string, unknown> | undefined> =>
    client.call<Record<string, unknown>>('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${type}`).catch((err: unknown) => {
      if (err instanceof DeliveryError && err.code === 'not_found') return undefined;
      throw err;
    });
  const power = await state('m.room.power_levels');
  if (!power) {
    const create = await state('m.room.create');
    // Room versions before 11 name the creator in the content; from 11 on it is the event's sender, which the state endpoint does not return.
    return typeof create?.creator === 'string' && create.creator === userId;
  }
  const users = typeof power.users === 'object' && power.users !== null ? (power.users as Record<string, unknown>) : {};
  return (level(users[userId]) ?? level(power.users_default) ?? 0) >= ADMIN_LEVEL;
}
