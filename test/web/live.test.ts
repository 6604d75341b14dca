/** Live events on the store channel: what is accepted, and what a running web platform ignores. */
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_CHANNEL, encodeLive, parseLive, type LiveEvent } from '../../bots/web/live.js';
import { Client, createRoom, startWeb, type WebKit } from './helpers.js';

const ROOM = 'room0123456789abcdefgh';
const MSG = 'msg0123456789abc';

describe('live events', () => {
  it.each<LiveEvent>([
    { t: 'message', room: ROOM, id: MSG },
    { t: 'message', room: ROOM, id: MSG, sender: '3b241101-e2bb-4255-8caf-4136c566a962', nonce: 'n1x2' },
    { t: 'update', room: ROOM, id: MSG },
    { t: 'delete', room: ROOM, id: MSG },
  ])('round-trips %j', (e) => {
    expect(parseLive(encodeLive(e))).toEqual(e);
  });

  it.each([
    ['not JSON', '{"v":1,'],
    ['an array', '[1]'],
    ['null', 'null'],
    ['another version', JSON.stringify({ v: 2, t: 'delete', room: ROOM, id: MSG })],
    ['no version', JSON.stringify({ t: 'delete', room: ROOM, id: MSG })],
    ['an unknown type', JSON.stringify({ v: 1, t: 'typing', room: ROOM, id: MSG })],
    ['a bad room id', JSON.stringify({ v: 1, t: 'delete', room: '../x', id: MSG })],
    ['a missing message id', JSON.stringify({ v: 1, t: 'update', room: ROOM })],
    ['a bad sender', JSON.stringify({ v: 1, t: 'message', room: ROOM, id: MSG, sender: 42 })],
    ['a bad nonce', JSON.stringify({ v: 1, t: 'message', room: ROOM, id: MSG, nonce: '<b>' })],
    ['too much', JSON.stringify({ v: 1, t: 'delete', room: ROOM, id: MSG, pad: 'x'.repeat(2000) })],
  ])('ignores %s', (_, raw) => {
    expect(parseLive(raw)).toBeNull();
  });

  it('drops only the extra fields it does not know', () => {
    expect(parseLive(JSON.stringify({ v: 1, t: 'update', room: ROOM, id: MSG, extra: true }))).toEqual({ t: 'update', room: ROOM, id: MSG });
  });
});

describe('the live channel of a running web platform', () => {
  let kit: WebKit | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await kit?.stop();
    kit = undefined;
  });

  it('ignores what is not a live event, and events about messages it does not have', async () => {
    kit = await startWeb();
    const id = await createRoom(kit.tb.url, 'Quiet');
    client = await Client.open(kit.tb.url);
    await client.join(id, 'Ann');
    const store = kit.tb.bridge.store;
    for (const raw of ['garbage', '{}', JSON.stringify({ v: 1, t: 'typing', room: id, id: MSG }), encodeLive({ t: 'message', room: id, id: MSG })]) {
      await store.publish(LIVE_CHANNEL, raw);
    }
    const real = await client.post('still here');
    expect(client.frames.map((f) => f.type)).toEqual(['welcome', 'message']);
    expect(client.shown().map((m) => m.id)).toEqual([real.id]);
  });
});
