/**
 * Inbound through real Bolt, in both transports: Slack events → what the bot ingests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inbound, InboundPost } from '../../src/model.js';
import { MODES, startRig, type Rig } from './rig.js';

const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';
const postWith = (text: string) => (e: Inbound) => isPost(e) && e.text === text;

describe.each(MODES)('Slack inbound over %s', (mode) => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig(mode);
  });
  afterEach(async () => {
    await rig.close();
  });

  it('turns a channel message into a post with the author, room and canonical text', async () => {
    const msg = rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'hello *world* & _you_' });
    await rig.event(msg, { eventId: 'Ev100' });
    const got = await rig.next(isPost);
    expect(got).toMatchObject({
      kind: 'post',
      room: { platform: 'slack', workspace: 'T0FAKE', channel: 'C1' },
      eventId: 'Ev100',
      id: msg.ts,
      author: { id: 'U1', name: 'Alice', avatarUrl: 'https://avatars.example/alice.png' },
      text: 'hello **world** & _you_',
    });
    expect(got).not.toHaveProperty('replyTo');
  });

  it('hears private channels, DMs and group DMs, each as its own room', async () => {
    for (const channel of ['G1', 'D1', 'M1']) {
      await rig.event(rig.fake.events.message({ channel, user: 'U2', text: `in ${channel}` }));
      const got = await rig.next(postWith(`in ${channel}`));
      expect(got.room).toEqual({ platform: 'slack', workspace: 'T0FAKE', channel });
      expect(isPost(got) && got.author.name).toBe('Bob Dobbs');
    }
  });

  it('keeps a thread reply in the channel room, replying to the thread parent', async () => {
    const parent = rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'parent' });
    const reply = rig.fake.events.message({ channel: 'C1', user: 'U2', text: 'reply', thread_ts: parent.ts });
    await rig.event(reply);
    const got = await rig.next(postWith('reply'));
    expect(got).toMatchObject({ room: { channel: 'C1' }, id: reply.ts, replyTo: parent.ts });
  });

  it('resolves mentions, channels and specials, and decodes entities into escaped canonical text', async () => {
    const text = 'hi <@U2> and <@U1|alice>, see <#C1|general> <#G1> <!here> <https://x.example/a?b=1&amp;c=2|the docs> 1 &lt; 2 &amp;&amp; [x]';
    await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text }));
    const got = await rig.next(isPost);
    expect(isPost(got) && got.text).toBe(
      'hi @Bob Dobbs and @alice, see #general #secret @here [the docs](https://x.example/a?b=1&c=2) 1 < 2 && \\[x\\]',
    );
  });

  it('brings shared files with a fetch that downloads them with the bot token', async () => {
    const bytes = new TextEncoder().encode('PNG-bytes');
    const file = rig.fake.addFile({ name: 'cat.png', mimetype: 'image/png', bytes, user: 'U1' });
    await rig.event(rig.fake.events.fileShare({ channel: 'C1', user: 'U1', text: 'look', files: [file] }));
    const got = await rig.next(isPost);
    if (!isPost(got)) throw new Error('not a post');
    expect(got.text).toBe('look');
    const [att] = got.attachments ?? [];
    expect(att).toMatchObject({ name: 'cat.png', mime: 'image/png', size: bytes.length });
    expect(Buffer.from((await att?.fetch?.()) ?? [])).toEqual(Buffer.from(bytes));
  });

  it('turns message_changed into an edit of the original ts and message_deleted into a delete', async () => {
    const original = rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'typo' });
    await rig.event(rig.fake.events.changed(original, 'fixed *now*'));
    expect(await rig.next((e) => e.kind === 'edit')).toMatchObject({
      kind: 'edit',
      room: { channel: 'C1' },
      id: original.ts,
      text: 'fixed **now**',
      author: { id: 'U1', name: 'Alice' },
    });
    await rig.event(rig.fake.events.deleted(original));
    expect(await rig.next((e) => e.kind === 'delete')).toMatchObject({ kind: 'delete', room: { channel: 'C1' }, id: original.ts });
  });

  it("drops the bot's own messages, edits and deletes, unfurl-only changes and non-content subtypes", async () => {
    const ev = rig.fake.events;
    const own = ev.botMessage({ channel: 'C1', bot_id: 'BBOT', username: 'Alice (Discord)', text: 'a copy' });
    const ownPlain = ev.message({ channel: 'C1', user: 'UBOT', text: 'a bot answer' });
    const theirs = ev.message({ channel: 'C1', user: 'U1', text: 'same text' });
    const ownChanged = ev.changed(ownPlain, 'edited copy');
    await rig.event(own);
    await rig.event(ownPlain);
    await rig.event(ownChanged);
    await rig.event(ev.deleted(own));
    await rig.event(ev.changed(theirs, 'same text'));
    await rig.event(ev.join({ channel: 'C1', user: 'U2' }));
    await rig.event(ev.message({ channel: 'C1', user: 'U1', text: 'marker' }));
    await rig.next(postWith('marker'));
    expect(rig.harness.events.map((e) => [e.kind, isPost(e) ? e.text : ''])).toEqual([['post', 'marker']]);
  });

  it("relays other bots' messages under their name, and /me as an action", async () => {
    const ev = rig.fake.events;
    await rig.event(ev.botMessage({ channel: 'C1', bot_id: 'BOTHER', username: 'CI', text: 'build green', icon: 'https://ci.example/i.png' }));
    expect(await rig.next(postWith('build green'))).toMatchObject({ author: { id: 'BOTHER', name: 'CI', avatarUrl: 'https://ci.example/i.png' } });
    await rig.event(ev.me({ channel: 'C1', user: 'U1', text: 'waves' }));
    expect(await rig.next(postWith('waves'))).toMatchObject({ action: true, author: { name: 'Alice' } });
  });

  it('processes an event redelivered by Slack only once', async () => {
    const msg = rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'once' });
    await rig.event(msg, { eventId: 'EvDUP' });
    await rig.event(msg, { eventId: 'EvDUP', retry: 1 });
    await rig.event(msg, { eventId: 'EvDUP', retry: 2 });
    const edit = rig.fake.events.changed(msg, 'once more');
    await rig.event(edit, { eventId: 'EvEDIT' });
    await rig.event(edit, { eventId: 'EvEDIT', retry: 1 });
    await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'marker' }));
    await rig.next(postWith('marker'));
    expect(rig.harness.events.filter(postWith('once'))).toHaveLength(1);
    expect(rig.harness.events.filter((e) => e.kind === 'edit')).toHaveLength(1);
  });

  it('passes -sameroom commands through and normalizes a leading @mention of the bot', async () => {
    await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text: '-sameroom open' }));
    expect(await rig.next(postWith('-sameroom open'))).toMatchObject({ author: { id: 'U1' } });
    const mention = rig.fake.events.message({ channel: 'C1', user: 'U2', text: '<@UBOT> connect K7QF-M2XD-9P' });
    // Slack sends the same message as `message` and as `app_mention`: one post.
    await rig.event(mention);
    await rig.event(rig.fake.events.appMention(mention));
    expect(await rig.next(postWith('-sameroom connect K7QF-M2XD-9P'))).toMatchObject({ id: mention.ts, author: { id: 'U2' } });
    await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'marker' }));
    await rig.next(postWith('marker'));
    expect(rig.harness.events.filter(postWith('-sameroom connect K7QF-M2XD-9P'))).toHaveLength(1);
  });

  it('hears an app_mention alone as a command', async () => {
    const mention = rig.fake.events.message({ channel: 'G1', user: 'U1', text: '<@UBOT>   list' });
    await rig.event(rig.fake.events.appMention(mention));
    expect(await rig.next(postWith('-sameroom list'))).toMatchObject({ room: { channel: 'G1' } });
  });

  it('acks the /sameroom slash command and ingests it as a -sameroom post by the invoking user', async () => {
    const cmd = rig.fake.events.slashCommand({ channel: 'C1', user: 'U1', text: 'open' });
    await rig.command(cmd);
    expect(await rig.next(postWith('-sameroom open'))).toMatchObject({
      kind: 'post',
      room: { platform: 'slack', workspace: 'T0FAKE', channel: 'C1' },
      eventId: cmd.trigger_id,
      author: { id: 'U1', name: 'Alice' },
    });
  });
});

describe.each(MODES)('Slack acks before processing over %s', (mode) => {
  it('answers Slack while the core is still busy with the event', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const rig = await startRig(mode, {
      ctx: (base) => ({
        ...base,
        ingest: async (e) => {
          started += 1;
          await gate;
          await base.ingest(e);
        },
      }),
    });
    try {
      // rig.event asserts HTTP 200 / an ack: it would hang here if the reply waited for ingest.
      await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'slow' }));
      release();
      await rig.next(postWith('slow'));
      expect(started).toBe(1);
    } finally {
      release();
      await rig.close();
    }
  });
});
