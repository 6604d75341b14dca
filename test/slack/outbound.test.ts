/**
 * Outbound through the real WebClient against the fake, with the bot running in each transport.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/errors.js';
import { escapeText } from '../../src/markup.js';
import { remoteId, roomKey, type FileId, type OutboundPost, type RoomRef, type StoredFile } from '../../src/model.js';
import { MODES, startRig, type Rig } from './rig.js';

const room: RoomRef = { platform: 'slack', workspace: 'T0FAKE', channel: 'C1' };
const origin = roomKey({ platform: 'discord', workspace: 'g', channel: 'c' });

const post = (text: string, extra: Partial<OutboundPost> = {}): OutboundPost => ({
  room,
  author: { id: 'd1', name: 'Carol (Discord)', avatarUrl: 'https://cdn.example/carol.png' },
  text,
  attachments: [],
  origin,
  idempotencyKey: 'k1',
  ...extra,
});

const stored = (id: string, name: string, size: number): StoredFile => ({
  id: id as FileId,
  name,
  mime: 'application/octet-stream',
  size,
  url: `https://bridge.example/files/${id}/${name}`,
});

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(err)}`);
  return err;
}

describe.each(MODES)('Slack outbound (bot in %s mode)', (mode) => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig(mode);
  });
  afterEach(async () => {
    await rig.close();
  });

  it('posts a copy under the author name and avatar, rendered to mrkdwn, without link names or unfurls', async () => {
    const ids = await rig.bot.send(post('**bold** _it_ ~~gone~~ `x<y` [site](https://example.com/a_b) a & b'));
    expect(rig.fake.posts).toHaveLength(1);
    const [p] = rig.fake.posts;
    expect(ids).toEqual([p?.ts]);
    expect(p).toMatchObject({
      channel: 'C1',
      username: 'Carol (Discord)',
      icon_url: 'https://cdn.example/carol.png',
      text: '*bold* _it_ ~gone~ `x&lt;y` <https://example.com/a_b|site> a &amp; b',
      link_names: false,
      unfurl_links: false,
    });
    expect(p).not.toHaveProperty('thread_ts');
  });

  it('posts a reply into the thread of the replied-to copy', async () => {
    const [parent] = await rig.bot.send(post('parent'));
    await rig.bot.send(post('child', { replyTo: parent }));
    expect(rig.fake.posts[1]).toMatchObject({ text: 'child', thread_ts: parent });
  });

  it('never lets copied text ping anyone', async () => {
    const hostile = 'hey <!channel> <!here> <!everyone> <@U1> <!subteam^S1|@oncall> <#C1> @here';
    await rig.bot.send(post(escapeText(hostile), { author: { id: 'x', name: '<!channel>' } }));
    await rig.bot.send(post('[click](https://evil.example/?<!here>|x) [js](javascript:alert(1\\))'));
    await rig.bot.say(room, escapeText('answer to <@U2> and <!channel>'));
    for (const p of rig.fake.posts) expect(p.text).not.toMatch(/<[!@#]/);
    expect(rig.fake.posts[0]?.text).toBe(
      'hey &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U1&gt; &lt;!subteam^S1|@oncall&gt; &lt;#C1&gt; @here',
    );
    expect(rig.fake.posts[1]?.text).toBe('<https://evil.example/?%3C!here%3E%7Cx|click> js (javascript:alert(1))');
  });

  it('says command answers as the bot itself, in the thread when asked', async () => {
    const ids = await rig.bot.say(room, 'code: `K7QF-M2XD-9P`', remoteId('1700000000.000100'));
    expect(rig.fake.posts[0]).toMatchObject({ text: 'code: `K7QF-M2XD-9P`', thread_ts: '1700000000.000100' });
    expect(rig.fake.posts[0]).not.toHaveProperty('username');
    expect(ids).toHaveLength(1);
    // The answer to a slash command (whose id is not a message ts) goes to the channel.
    await rig.bot.say(room, 'done', remoteId('command:trigger.1'));
    expect(rig.fake.posts[1]).not.toHaveProperty('thread_ts');
  });

  it('splits text longer than 4000 characters into several messages', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const ids = await rig.bot.say(room, long);
    expect(ids.length).toBeGreaterThan(1);
    expect(rig.fake.posts.every((p) => p.text.length <= 4000)).toBe(true);
    expect(rig.fake.posts.map((p) => p.text).join(' ')).toBe(long);
  });

  it('uploads files with the v2 flow and returns the file message too', async () => {
    const bytes = new TextEncoder().encode('hello file');
    rig.harness.files.set('f1', bytes);
    const ids = await rig.bot.send(post('with a file', { attachments: [stored('f1', 'notes.txt', bytes.length)] }));
    expect(rig.fake.calls('files.getUploadURLExternal')[0]?.params).toMatchObject({ filename: 'notes.txt', length: String(bytes.length) });
    const [upload] = [...rig.fake.state.uploads.values()];
    expect(Buffer.from(upload?.bytes ?? [])).toEqual(Buffer.from(bytes));
    const [complete] = rig.fake.state.completes;
    expect(complete).toMatchObject({ channel_id: 'C1', files: [{ id: upload?.id, title: 'notes.txt' }] });
    expect(complete?.initial_comment).toContain('Carol (Discord)');
    expect(complete).not.toHaveProperty('thread_ts');
    expect(ids).toEqual([rig.fake.posts[0]?.ts, complete?.ts]);
  });

  it('uploads files of a reply into the thread', async () => {
    rig.harness.files.set('f2', new Uint8Array([1, 2, 3]));
    const [parent] = await rig.bot.send(post('parent'));
    const ids = await rig.bot.send(post('', { replyTo: parent, attachments: [stored('f2', 'a.bin', 3)] }));
    const [complete] = rig.fake.state.completes;
    expect(complete).toMatchObject({ channel_id: 'C1', thread_ts: parent });
    expect(rig.fake.posts).toHaveLength(1);
    expect(ids).toEqual([complete?.ts]);
  });

  it('links files that are too big or whose bytes are gone instead of uploading them', async () => {
    const huge = stored('big', 'movie.mp4', 500 * 1024 * 1024);
    const gone = stored('gone', 'old.pdf', 10);
    await rig.bot.send(post('files:', { attachments: [huge, gone] }));
    expect(rig.fake.calls('files.getUploadURLExternal')).toHaveLength(0);
    expect(rig.fake.posts[0]?.text).toBe(
      'files:\n<https://bridge.example/files/big/movie.mp4|movie.mp4>\n<https://bridge.example/files/gone/old.pdf|old.pdf>',
    );
  });

  it('fails without posting anything when the upload URL refuses the bytes', async () => {
    rig.harness.files.set('f3', new Uint8Array([9]));
    rig.fake.failNext('upload', { status: 503 });
    const err = await rejection(rig.bot.send(post('text and file', { attachments: [stored('f3', 'x.bin', 1)] })));
    expect(err.code).toBe('unavailable');
    expect(rig.fake.posts).toHaveLength(0);
  });

  it('edits and deletes its copies', async () => {
    const [ts] = await rig.bot.send(post('first'));
    if (!ts) throw new Error('no ts');
    await rig.bot.edit({ room, id: ts, author: post('').author, text: 'second **try** <!here>' });
    expect(rig.fake.state.updates).toEqual([{ channel: 'C1', ts, text: 'second *try* &lt;!here&gt;' }]);
    expect(rig.fake.state.findMessage('C1', ts)?.text).toBe('second *try* &lt;!here&gt;');
    await rig.bot.delete({ room, id: ts });
    expect(rig.fake.state.deletes).toEqual([{ channel: 'C1', ts }]);
    expect(rig.fake.state.findMessage('C1', ts)).toBeUndefined();
    expect((await rejection(rig.bot.delete({ room, id: ts }))).code).toBe('not_found');
  });

  it('maps 429 with Retry-After to rate_limited with the wait, on every call', async () => {
    rig.fake.failNext('chat.postMessage', { status: 429, retryAfter: 3 });
    const err = await rejection(rig.bot.send(post('hi')));
    expect([err.code, err.retryAfterMs]).toEqual(['rate_limited', 3000]);
    const [ts] = await rig.bot.send(post('hi'));
    if (!ts) throw new Error('no ts');
    rig.fake.failNext('chat.update', { status: 429, retryAfter: 7 });
    expect(await rejection(rig.bot.edit({ room, id: ts, author: post('').author, text: 'x' }))).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000 });
    rig.fake.failNext('chat.delete', { status: 429, retryAfter: 1 });
    expect(await rejection(rig.bot.delete({ room, id: ts }))).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
    rig.fake.failNext('files.getUploadURLExternal', { status: 429, retryAfter: 2 });
    rig.harness.files.set('f4', new Uint8Array([1]));
    expect(await rejection(rig.bot.send(post('', { attachments: [stored('f4', 'a', 1)] })))).toMatchObject({ code: 'rate_limited', retryAfterMs: 2000 });
  });

  it('maps ratelimited errors, 5xx and Slack error codes to the right DeliveryError', async () => {
    rig.fake.failNext('chat.postMessage', { error: 'ratelimited' });
    expect((await rejection(rig.bot.send(post('a')))).code).toBe('rate_limited');
    rig.fake.failNext('chat.postMessage', { status: 503 });
    expect((await rejection(rig.bot.send(post('a')))).code).toBe('unavailable');
    rig.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    expect((await rejection(rig.bot.send(post('a')))).code).toBe('forbidden');
    expect((await rejection(rig.bot.send(post('a', { room: { ...room, channel: 'CNOPE' } })))).code).toBe('not_found');
    const err = await rejection(rig.bot.edit({ room, id: remoteId('1.2'), author: post('').author, text: 'x' }));
    expect(err.code).toBe('not_found');
    expect(err.message).not.toContain(rig.fake.botToken);
  });

  it('names rooms', async () => {
    expect(await rig.bot.roomName(room)).toBe('#general on Acme');
    expect(await rig.bot.roomName({ ...room, channel: 'D1' })).toBe('DM with Alice on Acme');
  });
});

describe('Slack outbound with the ts in the upload reply', () => {
  it('takes the file message ts from shares without reading the history', async () => {
    const rig = await startRig('http', { sharesInComplete: true });
    try {
      rig.harness.files.set('f1', new Uint8Array([1, 2]));
      const ids = await rig.bot.send(post('', { attachments: [stored('f1', 'a.bin', 2)] }));
      expect(ids).toEqual([rig.fake.state.completes[0]?.ts]);
      expect(rig.fake.calls('conversations.history')).toHaveLength(0);
    } finally {
      await rig.close();
    }
  });
});
