/** Files in web rooms: multipart upload with a size limit, download, and relay both ways. */
import { afterEach, describe, expect, it } from 'vitest';
import { TestBot } from '../helpers/test-bot.js';
import { Client, MAX_FILE, codeIn, createRoom, startWeb, until, type WebKit } from './helpers.js';

async function upload(base: string, room: string, name: string, bytes: Uint8Array, mime = 'application/octet-stream'): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)], { type: mime }), name);
  return fetch(`${base}/r/${room}/files`, { method: 'POST', body: form });
}

describe('web files', () => {
  let kit: WebKit | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await kit?.stop();
    kit = undefined;
  });

  it('uploads, posts, relays and serves a file; refuses one over the limit with 413', async () => {
    const alpha = new TestBot('alpha');
    kit = await startWeb({ bots: [alpha] });
    const { tb } = kit;
    const id = await createRoom(tb.url, 'Files');
    client = await Client.open(tb.url);
    await client.join(id, 'Sam');
    await client.post('-sameroom open');
    const code = codeIn((await client.next('message', (f) => f.message.kind === 'system')).message.text);
    await alpha.says('general', 'Ann', `-sameroom connect ${code}`);
    await tb.settle();

    const bytes = new Uint8Array(50_000).map((_, i) => i % 251);
    const res = await upload(tb.url, id, 'report.pdf', bytes, 'application/pdf');
    expect(res.status).toBe(201);
    const file = (await res.json()) as { id: string; name: string; size: number; mime: string };
    expect(file).toMatchObject({ name: 'report.pdf', size: 50_000, mime: 'application/pdf' });

    const msg = await client.post('the report', { files: [file.id] });
    expect(msg.files).toEqual([{ name: 'report.pdf', mime: 'application/pdf', size: 50_000, url: `/files/${file.id}/report.pdf` }]);
    const served = await fetch(`${tb.url}${msg.files[0]?.url}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-disposition')).toContain('attachment');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);

    await tb.settle();
    const relayed = alpha.room('general').at(-1);
    expect(relayed?.files.map((f) => f.name)).toEqual(['report.pdf']);
    expect(new Uint8Array((await tb.bridge.files.read(relayed?.files[0]?.id ?? '')) ?? [])).toEqual(bytes);
    // The copy carries the uploaded file itself: stored once, not again by the relay.
    expect(relayed?.files[0]?.id).toBe(file.id);

    // A file from alpha shows in the web room with a link on this server.
    await alpha.says('general', 'Ann', 'a picture', { files: [{ name: 'cat.png', mime: 'image/png', data: new Uint8Array([137, 80, 78, 71]) }] });
    await tb.settle();
    const pic = await until('the picture', () => client?.shown().find((m) => m.text === 'a picture'));
    expect(pic.files[0]).toMatchObject({ name: 'cat.png', mime: 'image/png', size: 4 });
    expect((await fetch(`${tb.url}${pic.files[0]?.url}`)).headers.get('content-type')).toBe('image/png');

    const big = await upload(tb.url, id, 'big.bin', new Uint8Array(MAX_FILE + 1));
    expect(big.status).toBe(413);
    const noRoom = await upload(tb.url, 'nosuchroom000000', 'a.txt', new Uint8Array(3));
    expect(noRoom.status).toBe(404);
    const notMultipart = await fetch(`${tb.url}/r/${id}/files`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(400);

    client.send({ type: 'post', text: 'ghost file', files: ['nosuchfile000000'] });
    expect((await client.next('error')).code).toBe('bad_file');
  });
});
