/** A tube between a Telegram group (real client, fake Bot API) and a test-platform room, both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
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
