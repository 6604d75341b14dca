/**
 * Who administers a web room: its creator, the first person to join it after it was made (the
 * one who made it opens it right away), held in a set of web author ids. Portal guest rooms
 * have no admin: they are claimed empty when made. Author ids come from each browser's secret
 * key (session.ts), so nobody can pose as another.
 */
import { keys } from '../../src/keys.js';
import type { Store } from '../../src/store/store.js';

export const WEB_ADMINS_ARE = 'on the web, the person who made the room';

export class WebAdmins {
  constructor(private readonly store: Store) {}

  /** A person joined `roomId`: the first one of a room made through the page becomes its admin. */
  async joined(roomId: string, authorId: string): Promise<void> {
    if (await this.store.setIfAbsent(keys.webCreator(roomId), authorId)) await this.store.sadd(keys.webAdmins(roomId), authorId);
  }

  /** A room nobody administers (portal guest chats): nobody can claim it. */
  async noCreator(roomId: string): Promise<void> {
    await this.store.set(keys.webCreator(roomId), '');
  }

  async isAdmin(roomId: string, authorId: string): Promise<boolean> {
    return (await this.store.smembers(keys.webAdmins(roomId))).includes(authorId);
  }
}

/** Names people may not take: the bridge's own, and look-alikes of it (case, spacing, digits for letters, marks). */
export function posesAsBridge(name: string): boolean {
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[0]/g, 'o')
    .replace(/[1|!]/g, 'l')
    .replace(/[3]/g, 'e')
    .replace(/[5$]/g, 's')
    .replace(/[^a-z]/g, '');
  return folded.includes('sameroom');
}
