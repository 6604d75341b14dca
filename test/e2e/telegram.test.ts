/** A tube between a Telegram group (real client, fake Bot API) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/index.js';
import { startFakeTelegram } from '../fakes/telegram/index.js';
import type { StoreKind } from '../helpers/bridge-harness.js';
import { copiesSent, copyOnWeb, deleteOnWeb, editOnWeb, updateOnWeb, useRig, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const rig = useRig();

/** A fake Bot API with the group Customers; `newBot()` is a real bot against it (one per bridge start). */
async function telegram(r: Rig) {
  const f = r.own(await startFakeTelegram());
  const chat = f.world.group('Customers');
  const newBot = () => createTelegramBot({ token: f.token, apiUrl: f.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 });
  return { f, chat, newBot };
}

describe.each<StoreKind>(['embedded', 'redis'])('Telegram ↔ another room through the bridge (%s)', (store) => {
  it('pairs from Telegram, relays posts, edits and replies both ways, and survives a restart', async () => {
    const { f: fake, chat, newBot } = await telegram(rig);
    const lobby = await rig.lobby(newBot(), { store });
    let { tb } = lobby;
    const { other } = lobby;
    const bot = (id: number) => fake.botMessages(id).filter((m) => !m.deleted).map((m) => m.html ?? '');

    const { notice } = await lobby.pair({ platform: 'Telegram', open: () => fake.userSays(chat.id, '/sameroom open'), answers: () => bot(chat.id), linked: false });
    expect(notice).toMatch(/now linked to Customers \(Telegram\)/);

    const m = fake.userSays(chat.id, 'hello <b>from</b> telegram');
    await waitFor(() => other.room('lobby').some((x) => x.text.includes('telegram')), 10_000, 'copy in lobby');
    expect(other.lines('lobby').at(-1)).toBe('Alice Liddell: hello <b>from</b> telegram');

    fake.userEdits(chat.id, m.message_id, 'hello again');
    await waitFor(() => other.room('lobby').some((x) => x.text === 'hello again'), 10_000, 'edit in lobby');

    const copy = other.room('lobby').at(-1)!;
    await other.says('lobby', 'Bob', 'a <script> reply', { replyTo: copy.id });
    await tb.settle();
    await waitFor(() => bot(chat.id).some((t) => t.includes('a &lt;script&gt; reply')), 10_000, 'reply in telegram');
    const reply = fake.botMessages(chat.id).at(-1)!;
    expect(reply.html).toBe('<b>Bob</b>: a &lt;script&gt; reply');
    expect(reply.message.reply_to_message?.message_id).toBe(m.message_id);

    // Restart the bridge: the tube, the offset and the message map are kept.
    const { dataDir, prefix } = tb;
    await tb.stop();
    const tg2 = newBot();
    fake.userSays(chat.id, 'sent while the bridge was down');
    tb = await rig.bridge({ store, bots: [tg2, other], dataDir, prefix });
    await waitFor(() => other.room('lobby').some((x) => x.text === 'sent while the bridge was down'), 10_000, 'catch-up');
    fake.userEdits(chat.id, m.message_id, 'edited after restart');
    await waitFor(() => other.room('lobby').some((x) => x.text === 'edited after restart'), 10_000, 'edit after restart');
    expect(other.room('lobby').filter((x) => x.text === 'sent while the bridge was down')).toHaveLength(1);
  });
});

describe.each<StoreKind>(['embedded', 'redis'])('Telegram ↔ a web room through the bridge (%s)', (store) => {
  it('pairs a web room with a Telegram group and relays posts and edits both ways, deletes from the web', async () => {
    const { f, chat, newBot } = await telegram(rig);
    const tb = await rig.web(newBot(), { store });
    const bot = () => f.botMessages(chat.id);
    const live = (): string[] => bot().filter((m) => !m.deleted).map((m) => m.html ?? '');

    // Pairing: `-sameroom open` typed in the web room, the code typed in the Telegram group.
    const sam = await rig.webRoom(tb, {
      platform: 'Telegram',
      room: 'Web desk',
      connect: (code) => f.userSays(chat.id, `-sameroom connect ${code}`),
      answers: live,
      notice: 'now linked to Customers (Telegram)',
    });

    // Web → Telegram: Telegram bots cannot impersonate, so the copy is prefixed with the author's name.
    const hello = await sam.post('hello **Telegram** <script>');
    await waitFor(() => live().some((t) => t.includes('Telegram</b>')), 10_000, 'copy in Telegram');
    const copy = bot().at(-1)!;
    expect(copy.html).toBe('<b>Sam</b>: hello <b>Telegram</b> &lt;script&gt;');

    // Telegram → web: shown under the Telegram author's name.
    const hi = f.userSays(chat.id, 'hi from telegram');
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown).toMatchObject({ author: { name: 'Alice Liddell' }, text: 'hi from telegram' });

    // Edits both ways.
    await editOnWeb(sam, hello, 'hello _everyone_');
    await waitFor(() => copy.html === '<b>Sam</b>: hello <i>everyone</i>', 10_000, 'edit in Telegram');
    expect(copy.edits).toBe(1);
    f.userEdits(chat.id, hi.message_id, 'hi again from telegram');
    const edited = await updateOnWeb(sam, shown);
    expect(edited.message).toMatchObject({ text: 'hi again from telegram', edited: true, author: { name: 'Alice Liddell' } });

    // A delete from the web reaches Telegram (Telegram never reports deletions to bots).
    await deleteOnWeb(sam, hello);
    await waitFor(() => copy.deleted, 10_000, 'delete in Telegram');
    await tb.settle();
    expect(copiesSent(sam).map((m) => m.text)).toEqual(['hi from telegram']);
  });
});
