/** The durable inbox: kept across a reopen of the store, replayed oldest first, cleared once done. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storeInbox } from '../../src/inbox.js';
import { keys } from '../../src/keys.js';
import { EmbeddedStore } from '../../src/store/embedded.js';

describe('durable inbox', () => {
  const open: EmbeddedStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const storeIn = (dir: string): EmbeddedStore => {
    const s = new EmbeddedStore(dir);
    open.push(s);
    return s;
  };

  it('keeps what was put across a restart, oldest first, until done; drops an unreadable entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sameroom-inbox-'));
    let t = 1000;
    const first = storeIn(dir);
    const inbox = storeInbox(first, 'groupme', () => t++);
    await inbox.put('b', '{"text":"second"}');
    await inbox.put('a', '{"text":"accepted before the restart"}');
    await inbox.put('c', 'third');
    await inbox.done('a');
    await first.hset(keys.inbox('groupme'), { junk: 'not json' });
    await first.close();
    open.splice(0);

    const again = storeInbox(storeIn(dir), 'groupme');
    expect(await again.pending()).toEqual([
      { id: 'b', raw: '{"text":"second"}' },
      { id: 'c', raw: 'third' },
    ]);
    // Another platform's inbox is its own.
    expect(await storeInbox(open[0] as EmbeddedStore, 'slack').pending()).toEqual([]);
    await again.done('b');
    await again.done('c');
    expect(await again.pending()).toEqual([]);
  });
});
