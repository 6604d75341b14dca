/** Matrix admins: power level 50 or more in m.room.power_levels, read by the real bot from the fake homeserver. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomRef } from '../../src/model.js';
import { ALICE, BOB, ROOM, startRig, type MatrixRig } from './setup.js';

describe('matrix admins', () => {
  let rig: MatrixRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  const room: RoomRef = { platform: 'matrix', channel: ROOM };

  it('reads power levels: users, users_default; no power levels: nobody but a named creator', async () => {
    rig = await startRig();
    const { fake, bot } = rig;
    expect(await bot.isAdmin(room, ALICE)).toBe(false);
    fake.world.append(ROOM, { type: 'm.room.power_levels', sender: ALICE, state_key: '', content: { users: { [ALICE]: 100, [BOB]: 49 }, users_default: 0 } });
    expect(await bot.isAdmin(room, ALICE)).toBe(true);
    expect(await bot.isAdmin(room, BOB)).toBe(false);
    expect(await bot.isAdmin(room, '@carol:fake.test')).toBe(false);
    fake.world.append(ROOM, { type: 'm.room.power_levels', sender: ALICE, state_key: '', content: { users: { [ALICE]: 100 }, users_default: 50 } });
    expect(await bot.isAdmin(room, '@carol:fake.test')).toBe(true);
  });

  it('a homeserver that fails the lookup makes it throw (the command is refused with a retry), not answer no', async () => {
    rig = await startRig();
    rig.fake.failNext('state', { status: 500 });
    await expect(rig.bot.isAdmin(room, ALICE)).rejects.toThrow();
  });
});
