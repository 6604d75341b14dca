/** A tube between a Matrix room (real bot, fake homeserver) and a test-platform room, both ways. */
import { describe, expect, it } from 'vitest';
import { createMatrixBot } from '../../bots/matrix/index.js';
import { FakeMatrix } from '../fakes/matrix/server.js';
import type { FakeEvent } from '../fakes/matrix/world.js';
import { copiesSent, copyOnWeb, deleteOnWeb, deletionOnWeb, editOnWeb, updateOnWeb, useRig, ZWSP, type Rig } from './rig.js';
import { waitFor } from './waitfor.js';

const ROOM = '!general:fake.test';
const ALICE = '@alice:fake.test';

const rig = useRig();

/** A fake homeserver with Alice in General, and the real bot against it; `ready()` once it synced. */
async function homeserver(r: Rig) {
  const f = r.own(await new FakeMatrix().start());
  f.addUser(ALICE, 'Alice');
  f.createRoom(ROOM, [ALICE], { name: 'General' });
  const matrix = createMatrixBot({ homeserverUrl: f.url, accessToken: f.botToken, syncTimeoutMs: 2000, retryMs: 10 });
  // The first sync only reads state; events count from the second one on.
  const ready = () => waitFor(() => f.syncCount >= 2, 10_000, 'the first sync');
  /** What the bot sent to the room, oldest first. */
  const bot = (): FakeEvent[] => f.botEvents(ROOM);
  const notices = (): string[] => bot().filter((e) => e.content.msgtype === 'm.notice').map((e) => String(e.content.body));
  return { f, matrix, ready, bot, notices };
}

describe('Matrix ↔ another room through the bridge', () => {
  it('pairs from Matrix, relays posts with an author prefix, replies, edits and redactions both ways, never pings', async () => {
    const { f, matrix, ready, bot, notices } = await homeserver(rig);
    const lobby = await rig.lobby(matrix);
    const { tb, other } = lobby;
    await ready();
    const copies = (): FakeEvent[] => bot().filter((e) => e.type === 'm.room.message' && e.content.msgtype === 'm.text');

    // Pairing: `-sameroom open` typed in the Matrix room, the code pasted in the lobby.
    const { notice } = await lobby.pair({ platform: 'Matrix', open: () => f.userSend(ROOM, ALICE, { msgtype: 'm.text', body: '-sameroom open' }), answers: notices });
    expect(notice).toMatch(/^bridge-bot: This room is now linked to General \(Matrix\)/);

    // Matrix → lobby: the member's display name, HTML made canonical.
    const hello = f.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: 'hello world',
      format: 'org.matrix.custom.html',
      formatted_body: 'hello <strong>world</strong> <a href="https://e.org">site</a>',
    });
    await waitFor(() => other.room('lobby').some((m) => m.as === 'Alice'), 10_000, 'copy in lobby');
    const copyInLobby = other.room('lobby').at(-1)!;
    expect(copyInLobby).toMatchObject({ as: 'Alice', text: 'hello **world** [site](https://e.org)' });

    f.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: '* hello again',
      'm.new_content': { msgtype: 'm.text', body: 'hello *again*' },
      'm.relates_to': { rel_type: 'm.replace', event_id: hello },
    });
    await waitFor(() => copyInLobby.text === 'hello \\*again\\*', 10_000, 'edit in lobby');

    // Lobby → Matrix: posted by the bot with the author's name in front (Matrix cannot impersonate),
    // as a reply, with mass mentions defused and no intentional mentions.
    const mine = await other.says('lobby', 'Bob', 'hi _Matrix_ <b> @room @everyone', { replyTo: copyInLobby.id });
    await tb.settle();
    await waitFor(() => copies().length === 1, 10_000, 'copy in Matrix');
    const copy = copies()[0]!;
    expect(copy.content).toEqual({
      msgtype: 'm.text',
      body: `Bob: hi Matrix <b> @${ZWSP}room @${ZWSP}everyone`,
      format: 'org.matrix.custom.html',
      formatted_body: `<strong>Bob</strong>: hi <em>Matrix</em> &lt;b&gt; @${ZWSP}room @${ZWSP}everyone`,
      'm.mentions': {},
      'm.relates_to': { 'm.in_reply_to': { event_id: hello } },
    });
    expect(String(copy.content.body)).not.toMatch(/@room|@everyone/);

    await other.edits('lobby', mine, 'hi ~~Matrix~~');
    await tb.settle();
    const edit = bot().at(-1)!;
    expect(edit.content['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: copy.event_id });
    expect(edit.content['m.new_content']).toMatchObject({ body: 'Bob: hi Matrix', formatted_body: '<strong>Bob</strong>: hi <del>Matrix</del>' });

    // Matrix → lobby reply to the bridge's copy lands on the original message.
    f.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: `> <${f.botUserId}> Bob: hi Matrix\n\nnice`,
      'm.relates_to': { 'm.in_reply_to': { event_id: copy.event_id } },
    });
    await waitFor(() => other.room('lobby').some((m) => m.text === 'nice'), 10_000, 'reply in lobby');
    expect(other.room('lobby').find((m) => m.text === 'nice')).toMatchObject({ as: 'Alice', replyTo: mine });

    await other.deletes('lobby', mine);
    await tb.settle();
    expect(bot().at(-1)).toMatchObject({ type: 'm.room.redaction', redacts: copy.event_id });
    expect(f.event(ROOM, copy.event_id)?.unsigned?.redacted_because).toBeDefined();

    f.userRedact(ROOM, ALICE, hello);
    await waitFor(() => !other.room('lobby').some((m) => m.id === copyInLobby.id), 10_000, 'redaction in lobby');

    // The bridge's own events (copy, edit, redaction, notices) came back through /sync: none was relayed.
    await lobby.marker((text) => f.userSend(ROOM, ALICE, { msgtype: 'm.text', body: text }));
    expect(other.sendLog.map((p) => [p.author.id, p.text])).toEqual([
      [ALICE, 'hello **world** [site](https://e.org)'],
      [ALICE, 'nice'],
      [ALICE, 'marker'],
    ]);
    expect(other.room('lobby').map((m) => m.as)).toEqual(['Bob', 'bridge-bot', 'Alice', 'Alice']);
  });
});

describe('Matrix ↔ a web room through the bridge', () => {
  it('pairs a web room with a Matrix room and relays posts with an author prefix, edits and redactions both ways', async () => {
    const { f, matrix, ready, bot, notices } = await homeserver(rig);
    const tb = await rig.web(matrix);
    await ready();
    const copies = (): FakeEvent[] => bot().filter((e) => e.type === 'm.room.message' && e.content.msgtype === 'm.text' && e.content['m.relates_to'] === undefined);

    // Pairing: `-sameroom open` typed in the web room, the code typed in the Matrix room.
    const sam = await rig.webRoom(tb, {
      platform: 'Matrix',
      connect: (code) => f.userSend(ROOM, ALICE, { msgtype: 'm.text', body: `-sameroom connect ${code}` }),
      answers: notices,
      notice: 'now linked to General (Matrix)',
    });

    // Web → Matrix: posted by the bot with the web author's name in front (Matrix cannot impersonate), never pinging.
    const hello = await sam.post('hello **Matrix** @room');
    await waitFor(() => copies().length === 1, 10_000, 'copy in Matrix');
    const copy = copies()[0]!;
    expect(copy.content).toEqual({
      msgtype: 'm.text',
      body: `Sam: hello Matrix @${ZWSP}room`,
      format: 'org.matrix.custom.html',
      formatted_body: `<strong>Sam</strong>: hello <strong>Matrix</strong> @${ZWSP}room`,
      'm.mentions': {},
    });

    // Matrix → web: shown under the member's display name, HTML made canonical.
    const hi = f.userSend(ROOM, ALICE, { msgtype: 'm.text', body: 'hi web', format: 'org.matrix.custom.html', formatted_body: 'hi <em>web</em>' });
    const shown = await copyOnWeb(sam, 'the copy of Alice’s message');
    expect(shown).toMatchObject({ author: { name: 'Alice' }, text: 'hi _web_' });

    // Edits both ways.
    await editOnWeb(sam, hello, 'hello ~~Matrix~~');
    await waitFor(() => bot().some((e) => (e.content['m.relates_to'] as { rel_type?: string } | undefined)?.rel_type === 'm.replace'), 10_000, 'edit in Matrix');
    const edit = bot().at(-1)!;
    expect(edit.content['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: copy.event_id });
    expect(edit.content['m.new_content']).toMatchObject({ body: 'Sam: hello Matrix', formatted_body: '<strong>Sam</strong>: hello <del>Matrix</del>' });
    f.userSend(ROOM, ALICE, {
      msgtype: 'm.text',
      body: '* hi web, edited',
      'm.new_content': { msgtype: 'm.text', body: 'hi web, edited' },
      'm.relates_to': { rel_type: 'm.replace', event_id: hi },
    });
    const edited = await updateOnWeb(sam, shown);
    expect(edited.message).toMatchObject({ text: 'hi web, edited', edited: true, author: { name: 'Alice' } });

    // Deletes both ways: a web delete redacts the copy, a Matrix redaction removes the web copy.
    await deleteOnWeb(sam, hello);
    await waitFor(() => f.event(ROOM, copy.event_id)?.unsigned?.redacted_because !== undefined, 10_000, 'redaction in Matrix');
    expect(bot().at(-1)).toMatchObject({ type: 'm.room.redaction', redacts: copy.event_id });
    f.userRedact(ROOM, ALICE, hi);
    await deletionOnWeb(sam, shown);

    // The bridge's own events (copy, edit, redaction, notices) came back through /sync: none was relayed to the web room.
    await tb.settle();
    const copiesShown = copiesSent(sam).map((m) => m.author.name);
    expect(copiesShown).toEqual(['Alice']);
    expect(sam.shown().some((m) => m.kind === 'copy')).toBe(false);
  });
});
