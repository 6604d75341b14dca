import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_WEBHOOK_NOTICE } from '../../bots/discord/outbound.js';
import { remoteId } from '../../src/model.js';
import { outbound, startRig, storedFile, type Rig } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(async () => {
  await rig.close();
});

const copies = (r: Rig, channelId: string) => r.fake.posted(channelId).filter((p) => p.via !== 'user');

describe('discord outbound through the webhook', () => {
  it('posts as the author through one reused "Sameroom" webhook, with no pings', async () => {
    const { fake, bot, h } = rig;
    const room = rig.room(fake.general.id);
    const ids = await bot.send(outbound(room, 'hi **there**'));
    await bot.send(outbound(room, 'second'));
    const [first, second] = copies(rig, fake.general.id);
    expect(ids).toEqual([first!.message.id]);
    expect(first).toMatchObject({ via: 'webhook', username: 'Carol', avatarUrl: 'https://example.com/carol.png', allowedMentions: { parse: [] } });
    expect(first!.message.content).toBe('hi **there**');
    expect(second!.message.webhook_id).toBe(first!.message.webhook_id);
    expect([...fake.world.webhooks.values()].map((w) => [w.name, w.channel_id])).toEqual([['Sameroom', fake.general.id]]);
    expect(fake.requests.filter((r) => r === `POST /channels/${fake.general.id}/webhooks`)).toHaveLength(1);
    expect(JSON.parse(h.state.get(`webhook:${fake.general.id}`)!)).toMatchObject({ id: first!.message.webhook_id });
  });

  it('finds the webhook it made earlier when its state was lost', async () => {
    const { fake, h } = rig;
    const room = rig.room(fake.general.id);
    await rig.bot.send(outbound(room, 'one'));
    h.state.clear();
    await rig.restart();
    await rig.bot.send(outbound(room, 'two'));
    expect(fake.world.webhooks.size).toBe(1);
    expect(fake.requests.filter((r) => r === `POST /channels/${fake.general.id}/webhooks`)).toHaveLength(1);
  });

  it('makes a new webhook when someone deleted ours', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    await bot.send(outbound(room, 'one'));
    fake.world.webhooks.clear();
    const [id] = await bot.send(outbound(room, 'two'));
    expect(fake.world.findMessage(fake.general.id, id!)?.content).toBe('two');
    expect(fake.world.webhooks.size).toBe(1);
  });

  it('sanitizes usernames Discord would refuse', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    await bot.send(outbound(room, 'x', { author: { id: '1', name: 'Discord Clyde '.repeat(10) } }));
    const name = copies(rig, fake.general.id)[0]!.username!;
    expect(name).not.toMatch(/discord|clyde/i);
    expect([...name].length).toBeLessThanOrEqual(80);
  });

  it('never pings: mass mentions, user and role mentions in copied text are inert', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const text = `@everyone @here <@${fake.alice.id}> <@&${fake.guild.id}> \\<@${fake.bob.id}\\>`;
    await bot.send(outbound(room, text));
    const [copy] = copies(rig, fake.general.id);
    expect(copy!.pings).toEqual([]);
    expect(copy!.message.content).not.toMatch(/(^|[^\\])<@/);
  });

  it('escapes literal markup so it shows as typed', async () => {
    const { fake, bot } = rig;
    await bot.send(outbound(rig.room(fake.general.id), '\\*not bold\\* and # not a heading and ||x||'));
    expect(copies(rig, fake.general.id)[0]!.message.content).toBe('\\*not bold\\* and # not a heading and \\|\\|x\\|\\|');
  });

  it('uploads files as the author and links files that are too big', async () => {
    const { fake, bot, h } = rig;
    const small = storedFile(h, 'note.txt', new TextEncoder().encode('hello file'), 'text/plain');
    const huge = { ...storedFile(h, 'movie.mp4', new Uint8Array(8)), size: 50 * 1024 * 1024 };
    await bot.send(outbound(rig.room(fake.general.id), 'files!', { attachments: [small, huge] }));
    const [copy] = copies(rig, fake.general.id);
    expect(copy!.via).toBe('webhook');
    expect(copy!.files.map((f) => [f.name, f.contentType, f.data.toString()])).toEqual([['note.txt', 'text/plain', 'hello file']]);
    expect(copy!.message.content).toBe(`files!\n📎 [movie.mp4](${huge.url})`);
    expect(copy!.message.attachments).toHaveLength(1);
  });

  it('splits long text into messages of at most 2000 characters', async () => {
    const { fake, bot } = rig;
    const text = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    const ids = await bot.send(outbound(rig.room(fake.general.id), text));
    const posted = copies(rig, fake.general.id);
    expect(ids).toEqual(posted.map((p) => p.message.id));
    expect(ids.length).toBeGreaterThan(1);
    expect(posted.every((p) => p.message.content.length <= 2000)).toBe(true);
    expect(posted.map((p) => p.message.content).join(' ')).toBe(text);
  });

  it('shows replies as a quote line linking to the replied copy', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const [first] = await bot.send(outbound(room, 'original'));
    await bot.send(outbound(room, 'the reply', { replyTo: first! }));
    const reply = copies(rig, fake.general.id)[1]!.message;
    expect(reply.content).toBe(`> ↪ [Reply](https://discord.com/channels/${fake.guild.id}/${fake.general.id}/${first})\nthe reply`);
  });

  it('posts into threads through the parent channel webhook', async () => {
    const { fake, bot } = rig;
    const thread = fake.addThread(fake.general.id, 'plans');
    const [id] = await bot.send(outbound(rig.room(thread.id), 'in thread'));
    expect(fake.world.findMessage(thread.id, id!)?.webhook_id).toBe([...fake.world.webhooks.values()][0]!.id);
    await bot.edit({ room: rig.room(thread.id), id: id!, author: { id: '1', name: 'Carol' }, text: 'edited in thread' });
    expect(fake.world.findMessage(thread.id, id!)?.content).toBe('edited in thread');
    await bot.delete({ room: rig.room(thread.id), id: id! });
    expect(fake.world.findMessage(thread.id, id!)).toBeUndefined();
  });

  it('edits and deletes copies, keeping the reply line, without echoing the delete', async () => {
    const { fake, bot, h } = rig;
    const room = rig.room(fake.general.id);
    const [first] = await bot.send(outbound(room, 'original'));
    const [reply] = await bot.send(outbound(room, 'reply', { replyTo: first! }));
    await bot.edit({ room, id: reply!, author: { id: '1', name: 'Carol' }, text: 'reply _fixed_' });
    expect(fake.world.findMessage(fake.general.id, reply!)?.content).toMatch(/^> ↪ \[Reply\]\(.+\)\nreply \*fixed\*$/);
    await bot.delete({ room, id: first! });
    expect(fake.world.findMessage(fake.general.id, first!)).toBeUndefined();
    expect(fake.requests).toContain(`DELETE /webhooks/${fake.world.findMessage(fake.general.id, reply!)?.webhook_id}/${[...fake.world.webhooks.values()][0]!.token}/messages/${first}`);
    const marker = fake.userSays(fake.general.id, 'marker');
    await h.waitFor((x) => x.id === marker.id);
    expect(h.events.map((e) => e.id)).toEqual([marker.id]);
  });

  it('refuses to edit or delete messages the bridge did not post', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const m = fake.userSays(fake.general.id, 'mine');
    await expect(bot.edit({ room, id: remoteId(m.id), author: { id: '1', name: 'x' }, text: 'hacked' })).rejects.toMatchObject({ code: 'rejected' });
    await expect(bot.delete({ room, id: remoteId(m.id) })).rejects.toMatchObject({ code: 'rejected' });
    expect(fake.world.findMessage(fake.general.id, m.id)?.content).toBe('mine');
  });

  it('names rooms', async () => {
    const { fake, bot } = rig;
    const thread = fake.addThread(fake.general.id, 'plans');
    const dm = fake.world.addDm(fake.bob);
    expect(await bot.roomName(rig.room(fake.general.id))).toBe('#general on Acme');
    expect(await bot.roomName(rig.room(thread.id))).toBe('#plans (thread in #general) on Acme');
    expect(await bot.roomName(rig.room(dm.id))).toBe('DM with bob');
  });
});

describe('discord outbound through the webhook, retried (mayExist)', () => {
  const webhookPosts = (r: Rig) => r.fake.requests.filter((q) => q.startsWith('POST /webhooks/')).length;
  const historyReads = (r: Rig, channelId: string) => r.fake.requests.filter((q) => q === `GET /channels/${channelId}/messages`).length;

  it('returns the copy an earlier attempt left (Discord stored it, the answer never came) and posts nothing', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    await bot.send(outbound(room, 'before'));
    const post = outbound(room, 'lost answer');
    const held = fake.holdResponse((m) => m.content === 'lost answer');
    void bot.send(post).catch(() => undefined); // its answer never comes
    const stored = await held;
    fake.userSays(fake.general.id, 'people keep talking'); // not ours: skipped over
    const posts = webhookPosts(rig);
    const ids = await bot.send({ ...post, mayExist: true });
    expect(ids).toEqual([stored.id]);
    expect(webhookPosts(rig)).toBe(posts);
    expect(historyReads(rig, fake.general.id)).toBe(1);
    expect(fake.world.history(fake.general.id).filter((m) => m.content === 'lost answer')).toHaveLength(1);
  });

  it('posts when no earlier attempt reached the channel, even with an identical older copy there', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const [older] = await bot.send(outbound(room, 'ok'));
    await bot.send(outbound(room, 'something else'));
    // The same author says "ok" again; the first attempt of its copy failed before Discord stored it.
    const [fresh] = await bot.send(outbound(room, 'ok', { mayExist: true }));
    expect(fresh).not.toBe(older);
    expect(fake.world.history(fake.general.id).filter((m) => m.content === 'ok')).toHaveLength(2);
    // Another author's identical text is not our copy either.
    const [other] = await bot.send(outbound(room, 'ok', { mayExist: true, author: { id: 'tg:7', name: 'Dave' } }));
    expect(other).not.toBe(fresh);
    expect(copies(rig, fake.general.id).map((p) => [p.username, p.message.content])).toEqual([
      ['Carol', 'ok'],
      ['Carol', 'something else'],
      ['Carol', 'ok'],
      ['Dave', 'ok'],
    ]);
  });

  it('never reads the history when mayExist is unset', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const post = outbound(room, 'twice');
    const reads = historyReads(rig, fake.general.id);
    const first = await bot.send(post);
    const second = await bot.send(post);
    expect(second).not.toEqual(first);
    expect(historyReads(rig, fake.general.id)).toBe(reads);
  });

  it('resumes a split post after the parts that are already there', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const text = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const post = outbound(room, text);
    const all = await bot.send(post);
    expect(all.length).toBeGreaterThanOrEqual(3);
    fake.userDeletes(fake.general.id, all.at(-1)!); // as if the earlier attempt stopped before the last part
    const posts = webhookPosts(rig);
    const ids = await bot.send({ ...post, mayExist: true });
    expect(ids).toHaveLength(all.length);
    expect(ids.slice(0, -1)).toEqual(all.slice(0, -1));
    expect(webhookPosts(rig)).toBe(posts + 1);
    expect(fake.world.history(fake.general.id).map((m) => m.id)).toEqual(ids);
    expect(ids.map((id) => fake.world.findMessage(fake.general.id, id)?.content).join(' ')).toBe(text);
  });

  it('looks in the thread itself for a copy posted into a thread', async () => {
    const { fake, bot } = rig;
    const thread = fake.addThread(fake.general.id, 'plans');
    const post = outbound(rig.room(thread.id), 'in thread');
    const [id] = await bot.send(post);
    const posts = webhookPosts(rig);
    expect(await bot.send({ ...post, mayExist: true })).toEqual([id]);
    expect(webhookPosts(rig)).toBe(posts);
    expect(historyReads(rig, thread.id)).toBe(1);
  });

  it('finds file-only parts by their number of files', async () => {
    const { fake, bot, h } = rig;
    const files = Array.from({ length: 12 }, (_, i) => storedFile(h, `f${i}.txt`, new TextEncoder().encode(`file ${i}`), 'text/plain'));
    const post = outbound(rig.room(fake.general.id), 'a dozen files', { attachments: files });
    const ids = await bot.send(post);
    expect(ids).toHaveLength(2);
    const posts = webhookPosts(rig);
    expect(await bot.send({ ...post, mayExist: true })).toEqual(ids);
    expect(webhookPosts(rig)).toBe(posts);
  });

  it('posts anyway, and warns, when the history cannot be read', async () => {
    const { fake, bot } = rig;
    const room = rig.room(fake.general.id);
    const post = outbound(room, 'maybe there');
    await bot.send(post);
    const warn = vi.spyOn(rig.ctx.log, 'warn');
    fake.failNext(`GET /channels/${fake.general.id}/messages`, { status: 500 });
    const [again] = await bot.send({ ...post, mayExist: true });
    expect(fake.world.history(fake.general.id).filter((m) => m.content === 'maybe there').map((m) => m.id)).toEqual([expect.any(String), again]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ channel: fake.general.id }), expect.stringContaining('earlier copy'));
    warn.mockRestore();
  });
});

describe('discord outbound without Manage Webhooks', () => {
  it('posts as the bot with a name prefix and says why, once', async () => {
    const { fake, bot } = rig;
    fake.denyWebhooks(fake.general.id);
    const room = rig.room(fake.general.id);
    const [a] = await bot.send(outbound(room, 'hello'));
    const [b] = await bot.send(outbound(room, 'again', { replyTo: a! }));
    const posted = copies(rig, fake.general.id);
    expect(posted.map((p) => [p.via, p.message.content])).toEqual([
      ['bot', NO_WEBHOOK_NOTICE],
      ['bot', '**Carol**: hello'],
      ['bot', '**Carol**: again'],
    ]);
    expect(posted.every((p) => p.allowedMentions?.parse?.length === 0)).toBe(true);
    expect(fake.world.findMessage(fake.general.id, b!)?.message_reference?.message_id).toBe(a);
    expect(posted[1]!.nonce).toEqual(expect.any(String));
    await bot.edit({ room, id: b!, author: { id: '1', name: 'Carol' }, text: 'again, edited' });
    expect(fake.world.findMessage(fake.general.id, b!)?.content).toBe('**Carol**: again, edited');
    await bot.delete({ room, id: a! });
    expect(fake.world.findMessage(fake.general.id, a!)).toBeUndefined();
  });

  it('does not post the same delivery twice (nonce with enforce_nonce)', async () => {
    const { fake, bot } = rig;
    fake.denyWebhooks();
    const post = outbound(rig.room(fake.general.id), 'exactly once');
    const first = await bot.send(post);
    const second = await bot.send(post);
    expect(second).toEqual(first);
    expect(copies(rig, fake.general.id).filter((p) => p.message.content.includes('exactly once'))).toHaveLength(1);
  });

  it('posts in DMs as the bot without a notice, leaving the author name to the core (no webhooks in DMs)', async () => {
    const { fake, bot } = rig;
    const dm = fake.world.addDm(fake.bob);
    // The room says it cannot post as the author, so the core puts the name in the room's format.
    expect(bot.capabilitiesFor(rig.room(dm.id)).impersonate).toBe(false);
    expect(bot.capabilitiesFor(rig.room(fake.general.id)).impersonate).toBe(true);
    await bot.send(outbound(rig.room(dm.id), 'Carol: private'));
    expect(copies(rig, dm.id).map((p) => p.message.content)).toEqual(['Carol: private']);
  });

  it('answers commands as the bot, as a reply', async () => {
    const { fake, bot } = rig;
    const m = fake.userSays(fake.general.id, '-sameroom ping');
    const ids = await bot.say(rig.room(fake.general.id), 'pong **fast**', remoteId(m.id));
    const answer = fake.world.findMessage(fake.general.id, ids[0]!)!;
    expect(answer.author.id).toBe(fake.bot.id);
    expect(answer.content).toBe('pong **fast**');
    expect(answer.message_reference?.message_id).toBe(m.id);
  });
});
