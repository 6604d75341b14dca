/** Capabilities asked per room: a room that cannot post as the author gets the name in its format. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Capabilities, RoomRef } from '../../src/model.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

/** Posts as the author everywhere except in rooms named `dm-…` (like Discord DMs). */
class DmBot extends TestBot {
  capabilitiesFor(room: RoomRef): Capabilities {
    return room.channel.startsWith('dm-') ? { ...this.capabilities, impersonate: false } : this.capabilities;
  }
}

describe('capabilities per room', () => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  it("names the author in the origin room's format where the target room cannot post as them", async () => {
    const a = new TestBot('alpha');
    const b = new DmBot('beta', { impersonate: true });
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await link(tb, a, 'x', b, 'dm-1');
    await link(tb, a, 'x', b, 'general');
    await a.says('x', 'Ann', '-sameroom format brackets');
    await a.says('x', 'Ann', 'hello');
    await tb.settle();
    // The bot posts in the DM; the core put the name in, in the room's chosen format.
    expect(b.lines('dm-1').at(-1)).toBe('bridge-bot: [Ann] hello');
    // Where the room can post as the author, the copy carries the author's name instead.
    expect(b.lines('general').at(-1)).toBe('Ann: hello');
  });
});
