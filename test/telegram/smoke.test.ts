import { afterEach, expect, it } from 'vitest';
import { startRig, type Rig } from './setup.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

it('smoke', async () => {
  rig = await startRig();
  const chat = rig.fake.world.group('G');
  rig.fake.userSays(chat.id, 'hello *there*');
  const e = await rig.harness.waitFor((e) => e.kind === 'post');
  console.log(e);
  const ids = await rig.bot.say({ platform: 'telegram', channel: String(chat.id) }, 'hi **you** <b>');
  console.log(ids, rig.fake.botMessages(chat.id));
  expect(ids.length).toBe(1);
});
