/** A tube between a Telegram group (real client, fake Bot API) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/index.js';
import { toPlain } from '../../src/markup.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import { waitFor } from './waitfor.js';

describe.each<StoreKind>(['embedded', 'redis'])('Telegram ↔ another room through the bridge (%s)', (store) => {
  let fake: FakeTelegram | undefined;
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    await fake?.close();
  });

  it('pairs from Telegram, relays posts, edits and replies both ways, and survives a restart', async () => {
    fake = await startFakeTelegram();
    const chat = fake.world.group('Customers');
    const tg = createTelegramBot({ token: fake.token, apiUrl: fake.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 });
    const other = new TestBot('alpha', { impersonate: true });
    tb = await startTestBridge({ store, bots: [tg, other] });
    const bot = (id: number) => fake!.botMessages(id).filter((m) => !m.deleted).map((m) => m.html ?? '');

    fake.userSays(chat.id, '/sameroom open');
    await waitFor(() => bot(chat.id).some((t) => t.includes('connect')), 10_000, 'open answer');
    await other.says('lobby', 'Bob', `-sameroom connect ${codeIn(bot(chat.id).at(-1) ?? '')}`);
    await tb.settle();
    expect(other.lines('lobby').at(-1)).toMatch(/now linked to Customers \(Telegram\)/);

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
    const tg2 = createTelegramBot({ token: fake.token, apiUrl: fake.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 });
    fake.userSays(chat.id, 'sent while the bridge was down');
    tb = await startTestBridge({ store, bots: [tg2, other], dataDir, prefix });
    await waitFor(() => other.room('lobby').some((x) => x.text === 'sent while the bridge was down'), 10_000, 'catch-up');
    fake.userEdits(chat.id, m.message_id, 'edited after restart');
    await waitFor(() => other.room('lobby').some((x) => x.text === 'edited after restart'), 10_000, 'edit after restart');
    expect(other.room('lobby').filter((x) => x.text === 'sent while the bridge was down')).toHaveLength(1);
  });
});

describe.each<StoreKind>(['embedded', 'redis'])('Telegram ↔ a web room through the bridge (%s)', (store) => {
  let fake: FakeTelegram | undefined;
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    await fake?.close();
    kit = undefined;
    fake = undefined;
  });

  it('pairs a web room with a Telegram group and relays posts and edits both ways, deletes from the web', async () => {
    fake = await startFakeTelegram();
    const f = fake;
    const chat = f.world.group('Customers');
    const tg = createTelegramBot({ token: f.token, apiUrl: f.apiRoot, pollTimeoutSeconds: 1, pollRetryMs: 20 });
    kit = await startWeb({ bots: [tg], store });
    const { tb } = kit;
    const bot = () => f.botMessages(chat.id);
    const live = (): string[] => bot().filter((m) => !m.deleted).map((m) => m.html ?? '');

    // Pairing: `-sameroom open` typed in the web room, the code typed in the Telegram group.
    const id = await createRoom(tb.url, 'Web desk');
    const sam = await Client.open(tb.url);
    clients.push(sam);
    await sam.join(id, 'Sam');
    await sam.post('-sameroom open');
    const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
    f.userSays(chat.id, `-sameroom connect ${code}`);
    await waitFor(() => live().some((t) => t.includes('now linked to Web desk (Web)')), 10_000, 'linked answer in Telegram');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to Customers (Telegram)')), 10_000);

    // Web → Telegram: Telegram bots cannot impersonate, so the copy is prefixed with the author's name.
    const hello = await sam.post('hello **Telegram** <script>');
    await waitFor(() => live().some((t) => t.includes('Telegram</b>')), 10_000, 'copy in Telegram');
    const copy = bot().at(-1)!;
    expect(copy.html).toBe('<b>Sam</b>: hello <b>Telegram</b> &lt;script&gt;');

    // Telegram → web: shown under the Telegram author's name.
    const hi = f.userSays(chat.id, 'hi from telegram');
    const shown = await until('the copy of Alice’s message', () => sam.shown().find((m) => m.kind === 'copy'), 10_000);
    expect(shown).toMatchObject({ author: { name: 'Alice Liddell' }, text: 'hi from telegram' });

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hello _everyone_' });
    await sam.next('update', (m) => m.message.id === hello.id);
    await waitFor(() => copy.html === '<b>Sam</b>: hello <i>everyone</i>', 10_000, 'edit in Telegram');
    expect(copy.edits).toBe(1);
    f.userEdits(chat.id, hi.message_id, 'hi again from telegram');
    const edited = await sam.next('update', (m) => m.message.id === shown.id, 10_000);
    expect(edited.message).toMatchObject({ text: 'hi again from telegram', edited: true, author: { name: 'Alice Liddell' } });

    // A delete from the web reaches Telegram (Telegram never reports deletions to bots).
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (m) => m.id === hello.id);
    await waitFor(() => copy.deleted, 10_000, 'delete in Telegram');
    await tb.settle();
    expect(sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message.text] : []))).toEqual(['hi from telegram']);
  });
});
