import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/errors.js';
import { remoteId } from '../../src/model.js';
import { outbound, startRig, storedFile, type Rig } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(async () => {
  await rig.close();
});

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('discord delivery errors', () => {
  it('maps a 429 on the webhook to rate_limited with the wait, without leaking the webhook token', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    await bot.send(outbound(room, 'warm up')); // the webhook exists now
    fake.failNext('POST /webhooks/', { status: 429, retryAfter: 2 });
    const err = await failure(bot.send(outbound(room, 'too fast')));
    expect([err.code, err.retryAfterMs, err.transient]).toEqual(['rate_limited', 2000, true]);
    const token = [...fake.world.webhooks.values()][0]!.token;
    expect(err.message).not.toContain(token);
    expect(fake.posted(fake.general.id).map((p) => p.message.content)).toEqual(['warm up']);
  });

  it('maps a global 429 on bot posts to rate_limited', async () => {
    const { fake, bot } = rig;
    fake.failNext(`POST /channels/${fake.random.id}/messages`, { status: 429, retryAfter: 3, global: true });
    const err = await failure(bot.say(rig.room(fake.random.id), 'hello'));
    expect([err.code, err.retryAfterMs]).toEqual(['rate_limited', 3000]);
  });

  it('does not retry a 429 by itself: the bridge queue decides', async () => {
    const { fake, bot } = rig;
    fake.failNext(`POST /channels/${fake.random.id}/messages`, { status: 429, retryAfter: 1 });
    await failure(bot.say(rig.room(fake.random.id), 'once'));
    expect(fake.requests.filter((r) => r === `POST /channels/${fake.random.id}/messages`)).toHaveLength(1);
  });

  it('maps 5xx to unavailable without retrying', async () => {
    const { fake, bot } = rig;
    fake.failNext(`POST /channels/${fake.random.id}/messages`, { status: 502 });
    const err = await failure(bot.say(rig.room(fake.random.id), 'hello'));
    expect([err.code, err.transient]).toEqual(['unavailable', true]);
    expect(fake.requests.filter((r) => r === `POST /channels/${fake.random.id}/messages`)).toHaveLength(1);
  });

  it('maps 5xx on webhook creation to unavailable (not to the no-permission fallback)', async () => {
    const { fake, bot } = rig;
    fake.failNext(`POST /channels/${fake.general.id}/webhooks`, { status: 500 });
    const err = await failure(bot.send(outbound(rig.room(fake.general.id), 'x')));
    expect(err.code).toBe('unavailable');
    expect(fake.posted(fake.general.id)).toEqual([]);
  });

  it('maps 404s to not_found and 400s to rejected', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const gone = await failure(bot.edit({ room, id: remoteId('123456789012345678'), author: { id: '1', name: 'x' }, text: 'y' }));
    expect(gone.code).toBe('not_found');
    await bot.send(outbound(room, 'warm up'));
    fake.failNext('POST /webhooks/', { status: 400 });
    const bad = await failure(bot.send(outbound(room, 'x')));
    expect([bad.code, bad.transient]).toEqual(['rejected', false]);
  });

  it('gets a permanent error from the fake for files over the upload limit', async () => {
    await rig.close();
    rig = await startRig({ maxFileBytes: 1024 });
    const { fake, bot, h } = rig;
    const big = storedFile(h, 'big.bin', new Uint8Array(4096));
    const err = await failure(bot.send(outbound(rig.room(fake.general.id), 'big', { attachments: [big] })));
    expect(err.code).toBe('rejected');
    expect(err.message).toMatch(/413/);
  });
});
