import { MessageType } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundDelete, InboundEdit, InboundPost } from '../../src/model.js';
import { isPost, outbound, startRig, type Rig } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(async () => {
  await rig.close();
});

describe('discord inbound', () => {
  it('ingests a guild message with room, author, avatar and canonical text', async () => {
    const { fake, h } = rig;
    const m = fake.userSays(fake.general.id, 'hello **world** <@' + fake.bob.id + '> in <#' + fake.random.id + '>');
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === m.id);
    expect(e.room).toEqual({ platform: 'discord', workspace: fake.guild.id, channel: fake.general.id });
    expect(e.eventId).toBe(m.id);
    expect(e.author).toEqual({
      id: fake.alice.id,
      name: 'Alice Liddell',
      avatarUrl: `https://cdn.discordapp.com/avatars/${fake.alice.id}/a1b2c3.png`,
    });
    expect(e.text).toBe('hello **world** @bob in #random');
  });

  it('uses the guild nickname and resolves role mentions', async () => {
    const { fake, h } = rig;
    fake.world.guild(fake.guild.id).members.get(fake.alice.id)!.nick = 'Al';
    const mods = fake.world.addRole(fake.guild.id, 'mods');
    // Roles created after connecting reach the bot through GUILD_ROLE_CREATE in real Discord;
    // here the bot learns it on the next session, so reconnect it.
    await rig.restart();
    const m = fake.userSays(fake.general.id, 'hey <@&' + mods.id + '> and <@' + fake.alice.id + '>');
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === m.id);
    expect(e.author.name).toBe('Al');
    expect(e.text).toBe('hey @mods and @Al');
  });

  it('ingests thread messages as their own room', async () => {
    const { fake, h } = rig;
    const thread = fake.addThread(fake.general.id, 'plans');
    const m = fake.userSays(thread.id, 'in the thread');
    const e = await h.waitFor((x) => x.id === m.id);
    expect(e.room).toEqual({ platform: 'discord', workspace: fake.guild.id, channel: thread.id });
  });

  it('ingests DMs without a workspace', async () => {
    const { fake, h } = rig;
    const dm = fake.world.addDm(fake.bob);
    const m = fake.userSays(dm.id, 'psst', { author: fake.bob });
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === m.id);
    expect(e.room).toEqual({ platform: 'discord', channel: dm.id });
    expect(e.author.name).toBe('bob');
  });

  it('gives attachments with a fetch() that downloads the bytes', async () => {
    const { fake, h } = rig;
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const m = fake.userSays(fake.general.id, '', { attachments: [{ name: 'cat.png', data: bytes, contentType: 'image/png' }] });
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === m.id);
    expect(e.text).toBe('');
    expect(e.attachments).toHaveLength(1);
    const a = e.attachments![0]!;
    expect([a.name, a.mime, a.size]).toEqual(['cat.png', 'image/png', 5]);
    expect(Array.from(await a.fetch!())).toEqual([1, 2, 3, 4, 5]);
  });

  it('reports replies with the replied-to id', async () => {
    const { fake, h } = rig;
    const first = fake.userSays(fake.general.id, 'question?');
    const reply = fake.userSays(fake.general.id, 'answer', { author: fake.bob, reply: first.id });
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === reply.id);
    expect(e.replyTo).toBe(first.id);
  });

  it('reports edits and single and bulk deletes', async () => {
    const { fake, h } = rig;
    const a = fake.userSays(fake.general.id, 'tpyo');
    const b = fake.userSays(fake.general.id, 'two');
    const c = fake.userSays(fake.general.id, 'three');
    await h.waitFor((x) => x.id === c.id);
    fake.userEdits(fake.general.id, a.id, 'typo <@' + fake.bob.id + '>');
    const edit = await h.waitFor((x): x is InboundEdit => x.kind === 'edit' && x.id === a.id);
    expect(edit.text).toBe('typo @bob');
    expect(edit.author?.id).toBe(fake.alice.id);
    fake.userDeletes(fake.general.id, a.id);
    fake.bulkDelete(fake.general.id, [b.id, c.id]);
    await h.waitFor((x) => x.kind === 'delete' && x.id === c.id);
    const deletes = h.events.filter((x): x is InboundDelete => x.kind === 'delete').map((x) => x.id);
    expect(deletes).toEqual([a.id, b.id, c.id]);
    expect(new Set(h.events.map((x) => x.eventId)).size).toBe(h.events.length);
  });

  it('passes -sameroom commands through unchanged', async () => {
    const { fake, h } = rig;
    const m = fake.userSays(fake.general.id, '-sameroom connect K7QF-M2XD-9P');
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === m.id);
    expect(e.text).toBe('-sameroom connect K7QF-M2XD-9P');
  });

  it('never ingests its own messages, copies or webhook echoes', async () => {
    const { fake, h, bot } = rig;
    const room = rig.room(fake.general.id);
    const [copy] = await bot.send(outbound(room, 'a copy'));
    const [answer] = await bot.say(room, 'a command answer');
    fake.denyWebhooks(fake.random.id);
    const [fallback] = await bot.send(outbound(rig.room(fake.random.id), 'a copy as the bot'));
    // Editing our own copy dispatches MESSAGE_UPDATE carrying our webhook id: an echo too.
    await bot.edit({ room, id: copy!, author: { id: 'x', name: 'Carol' }, text: 'edited copy' });
    const marker = fake.userSays(fake.general.id, 'marker');
    await h.waitFor((x) => x.id === marker.id);
    const ours = [copy, answer, fallback];
    expect(ours.every((id) => typeof id === 'string')).toBe(true);
    expect(fake.posted().filter((p) => p.via !== 'user').map((p) => p.message.id)).toEqual(expect.arrayContaining(ours));
    expect(h.events.map((x) => x.id)).toEqual([marker.id]);
  });

  it('still knows its webhook after a restart (echoes of old copies stay dropped)', async () => {
    const { fake, h } = rig;
    const room = rig.room(fake.general.id);
    await rig.bot.send(outbound(room, 'before restart'));
    await rig.restart();
    const [copy] = await rig.bot.send(outbound(room, 'after restart'));
    fake.userEdits(fake.general.id, copy!, 'a moderator cannot edit this, but the echo must still be dropped');
    const marker = fake.userSays(fake.general.id, 'marker');
    await h.waitFor((x) => x.id === marker.id);
    expect(h.events.map((x) => x.id)).toEqual([marker.id]);
    expect(fake.world.webhooks.size).toBe(1);
  });

  it('ingests messages from webhooks and bots it did not make', async () => {
    const { fake, h } = rig;
    const helper = fake.world.addUser('helper-bot', { bot: true });
    const m = fake.userSays(fake.general.id, 'beep', { author: helper });
    const w = fake.foreignWebhookSays(fake.general.id, 'build passed');
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === w.id);
    expect(e.author.name).toBe('GitHub');
    expect(h.events.find((x): x is InboundPost => isPost(x) && x.id === m.id)?.author.name).toBe('helper-bot');
  });

  it('turns /sameroom into an acknowledged -sameroom post from the invoker', async () => {
    const { fake, h } = rig;
    expect(fake.commands.map((c) => [c.name, c.options?.map((o) => o.name)])).toEqual([['sameroom', ['args']]]);
    const id = fake.slash(fake.general.id, 'open');
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === id);
    expect(e.text).toBe('-sameroom open');
    expect(e.author.id).toBe(fake.alice.id);
    expect(e.room).toEqual(rig.room(fake.general.id));
    const responses = fake.interactions.get(id)!.responses;
    expect(responses).toEqual([{ type: 4, data: expect.objectContaining({ flags: 64 }) }]);
    const bare = fake.slash(fake.general.id);
    const e2 = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === bare);
    expect(e2.text).toBe('-sameroom');
  });

  it('takes /sameroom in DMs too', async () => {
    const { fake, h } = rig;
    const dm = fake.world.addDm(fake.bob);
    const id = fake.slash(dm.id, 'help', fake.bob);
    const e = await h.waitFor((x): x is InboundPost => isPost(x) && x.id === id);
    expect([e.text, e.author.name, e.room]).toEqual(['-sameroom help', 'bob', { platform: 'discord', channel: dm.id }]);
  });

  it('ignores system messages and messages with nothing to bridge', async () => {
    const { fake, h } = rig;
    const pin = fake.userSays(fake.general.id, '', { type: MessageType.ChannelPinnedMessage });
    const join = fake.userSays(fake.general.id, '', { type: MessageType.UserJoin });
    const blank = fake.userSays(fake.general.id, '   ');
    const marker = fake.userSays(fake.general.id, 'marker');
    await h.waitFor((x) => x.id === marker.id);
    expect(h.events.map((x) => x.id)).toEqual([marker.id]);
    expect([pin, join, blank].every((m) => typeof m.id === 'string')).toBe(true);
  });
});
