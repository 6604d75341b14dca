/** A tube between a Discord channel (real discord.js bot, fake Discord) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createDiscordBot } from '../../bots/discord/index.js';
import { toPlain } from '../../src/markup.js';
import { FakeDiscord, type Posted } from '../fakes/discord/index.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, ZWSP, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

/** A fake Discord with #general, and the real bot against it. */
async function discord(r: Rig) {
  const f = r.own(await FakeDiscord.start());
  const general = f.general.id;
  const bot = createDiscordBot({ token: f.token, apiUrl: f.apiUrl, leasePollMs: 20 });
  const answers = (): string[] => f.posted(general).filter((p) => p.via === 'bot').map((p) => p.message.content);
  const copies = (): Posted[] => f.posted(general).filter((p) => p.via === 'webhook');
  const live = (id: string) => f.world.findMessage(general, id);
  return { f, general, bot, answers, copies, live };
}

describe('Discord ↔ another room through the bridge', () => {
  it('pairs from Discord, relays posts through the webhook as the author, replies, edits and deletes both ways, never pings', async () => {
    const { f, general, bot, answers, copies, live } = await discord(rig);
    const lobby = await rig.lobby(bot);
    const { tb, other } = lobby;

    // Pairing: `-sameroom open` typed in #general, the code pasted in the lobby.
    const { notice } = await lobby.pair({ platform: 'Discord', open: () => f.userSays(general, '-sameroom open'), answers });
    expect(notice).toMatch(/^bridge-bot: This room is now linked to #general on Acme \(Discord\)/);

    // Discord → lobby: the author's display name and avatar, Discord markdown made canonical.
    const hello = f.userSays(general, `hello **world** __there__ <@${f.bob.id}>`);
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice Liddell'), 10_000, 'copy in lobby');
    const copyInLobby = other.room('lobby').at(-1)!;
    expect(copyInLobby).toMatchObject({ as: 'Alice Liddell', text: 'hello **world** there @bob' });
    expect(other.sendLog.at(-1)?.author.avatarUrl).toBe(`https://cdn.discordapp.com/avatars/${f.alice.id}/a1b2c3.png`);

    f.userEdits(general, hello.id, `hello *again* <#${f.random.id}>`);
    await waitFor(() => copyInLobby.text === 'hello *again* #random', 10_000, 'edit in lobby');

    // Lobby → Discord: through the channel webhook under the author's name, canonical made Discord markdown.
    const mine = await other.says('lobby', 'Bob', 'hi _Discord_ <b> @everyone @here', { replyTo: copyInLobby.id });
    await tb.settle();
    await waitFor(() => copies().length === 1, 10_000, 'copy in Discord');
    const copy = copies()[0]!;
    expect(copy.username).toBe('Bob');
    expect(copy.message.content).toBe(
      `> ↪ [Reply](https://discord.com/channels/${f.guild.id}/${general}/${hello.id})\nhi *Discord* \\<b\\> @${ZWSP}everyone @${ZWSP}here`,
    );
    // Mass mentions: allowed_mentions parses nothing, and the text itself no longer mentions anyone.
    expect(copy.allowedMentions).toEqual({ parse: [] });
    expect(copy.pings).toEqual([]);
    expect(copy.message.mention_everyone).toBe(false);

    // The author's avatar goes with the copy when the origin knows it.
    await lobby.postWithAvatar();
    await waitFor(() => copies().length === 2, 10_000, 'second copy in Discord');
    expect(copies()[1]).toMatchObject({ username: 'Carol', avatarUrl: 'https://example.com/carol.png' });

    await other.edits('lobby', mine, 'hi ~~Discord~~ (edited)');
    await tb.settle();
    expect(live(copy.message.id)?.content).toBe(
      `> ↪ [Reply](https://discord.com/channels/${f.guild.id}/${general}/${hello.id})\nhi ~~Discord~~ (edited)`,
    );
    await other.deletes('lobby', mine);
    await tb.settle();
    expect(live(copy.message.id)).toBeUndefined();

    f.userDeletes(general, hello.id);
    await waitFor(() => !other.room('lobby').some((m) => m.as === 'Alice Liddell'), 10_000, 'delete in lobby');

    // The bridge's own copies came back over the gateway (create, update, delete): none was relayed.
    await lobby.marker((text) => f.userSays(general, text));
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [f.alice.id, 'hello **world** there @bob'],
      [f.alice.id, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice Liddell']);
  });
});

describe('Discord ↔ a web room through the bridge', () => {
  it('pairs a web room with a Discord channel and relays posts, edits and deletes both ways', async () => {
    const { f, general, bot, answers, copies, live } = await discord(rig);
    const tb = await rig.web(bot);

    // Pairing: `-sameroom open` typed in the web room, the code typed in #general.
    const sam = await rig.webRoom(tb, { platform: 'Discord', connect: (code) => f.userSays(general, `-sameroom connect ${code}`), answers, notice: 'now linked to #general' });

    // Web → Discord: through the channel webhook under the web author's name.
    const hello = await sam.post('hello **Discord**');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Discord');
    const copy = copies()[0]!;
    expect(copy.username).toBe('Sam');
    expect(copy.message.content).toBe('hello **Discord**');
    expect(copy.allowedMentions).toEqual({ parse: [] });

    // Discord → web: shown under the Discord author's display name.
    const hi = f.userSays(general, 'hi *web* people');
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown).toMatchObject({ author: { name: 'Alice Liddell' }, text: 'hi *web* people' });
    expect(shown.nodes).toEqual([{ type: 'text', text: 'hi ' }, { type: 'italic', children: [{ type: 'text', text: 'web' }] }, { type: 'text', text: ' people' }]);

    // Edits both ways.
    await editOnWeb(sam, hello, 'hello **everyone**');
    await waitFor(() => live(copy.message.id)?.content === 'hello **everyone**', 10_000, 'edit in Discord');
    f.userEdits(general, hi.id, 'hi *web* people (edited)');
    const edited = await updateOnWeb(sam, shown);
    expect(toPlain(edited.message.text)).toBe('hi web people (edited)');
    expect(edited.message).toMatchObject({ edited: true, author: { name: 'Alice Liddell' } });

    // Deletes both ways.
    await deleteOnWeb(sam, hello);
    await waitFor(() => live(copy.message.id) === undefined, 10_000, 'delete in Discord');
    f.userDeletes(general, hi.id);
    await deletionOnWeb(sam, shown);

    // The bridge's own webhook copy came back over the gateway (create, update, delete): it was never relayed to the web room.
    await tb.settle();
    const copiesShown = copiesSent(sam).map((m) => m.author.name);
    expect(copiesShown).toEqual(['Alice Liddell']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
