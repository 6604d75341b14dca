/** A bot's durable inbox (src/bot.ts Inbox) on the store: one hash per platform. */
import type { Inbox } from './bot.js';
import { keys } from './keys.js';
import type { Store } from './store/store.js';

interface Kept {
  readonly at: number;
  readonly raw: string;
}

function parseKept(value: string): Kept | undefined {
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null) return undefined;
    const { at, raw } = v as Record<string, unknown>;
    return typeof at === 'number' && typeof raw === 'string' ? { at, raw } : undefined;
  } catch {
    return undefined;
  }
}

export function storeInbox(store: Store, platform: string, now: () => number = Date.now): Inbox {
  const key = keys.inbox(platform);
  return {
    put: (id, raw) => store.hset(key, { [id]: JSON.stringify({ at: now(), raw } satisfies Kept) }),
    done: (id) => store.hdel(key, id),
    async pending() {
      const all = await store.hgetall(key);
      const out: Array<{ id: string; at: number; raw: string }> = [];
      for (const [id, value] of Object.entries(all)) {
        const kept = parseKept(value);
        // An unreadable entry cannot be replayed: drop it rather than trip over it at every start.
        if (kept) out.push({ id, ...kept });
        else await store.hdel(key, id);
      }
      return out.sort((a, b) => a.at - b.at).map(({ id, raw }) => ({ id, raw }));
    },
  };
}
