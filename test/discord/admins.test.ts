/** Discord admins, computed as Discord does from the fake's roles, member roles and channel overwrites. */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './rig.js';

describe('discord admins', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('owner, Administrator / Manage Server, or Manage Channels in that channel after overwrites; the person in a DM', async () => {
    rig = await startRig({ start: false });
    const { fake } = rig;
    const w = fake.world;
    const g = fake.guild.id;
    const member = (name: string, roles: string[] = []): string => {
      const u = w.addUser(name);
      w.addMember(g, u).roles = roles;
      return u.id;
    };
    const mods = w.addRole(g, 'Mods', String(PermissionFlagsBits.ManageGuild));
    const helpers = w.addRole(g, 'Helpers');
    const channelMods = w.addRole(g, 'Channel mods', String(PermissionFlagsBits.ManageChannels));
    const carol = member('carol', [mods.id]);
    const dave = member('dave', [helpers.id]);
    const eve = member('eve', [channelMods.id]);
    fake.general.overwrites = [
      { id: helpers.id, type: 0, allow: String(PermissionFlagsBits.ManageChannels), deny: '0' },
      { id: eve, type: 1, allow: '0', deny: String(PermissionFlagsBits.ManageChannels) },
    ];
    const dm = w.addDm(fake.bob);
    await rig.bot.start(rig.ctx);
    const general = rig.room(fake.general.id);
    const random = rig.room(fake.random.id);

    expect(await rig.bot.isAdmin(general, fake.alice.id)).toBe(true); // the owner
    expect(await rig.bot.isAdmin(general, fake.bob.id)).toBe(false);
    expect(await rig.bot.isAdmin(random, carol)).toBe(true); // Manage Server
    expect(await rig.bot.isAdmin(general, dave)).toBe(true); // allowed in #general
    expect(await rig.bot.isAdmin(random, dave)).toBe(false);
    expect(await rig.bot.isAdmin(general, eve)).toBe(false); // denied for her in #general
    expect(await rig.bot.isAdmin(random, eve)).toBe(true);
    expect(await rig.bot.isAdmin(rig.room(dm.id), fake.bob.id)).toBe(true);
  });
});
