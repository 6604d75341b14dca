/** Everything a browser sends is untrusted: bad, oversized and flooding frames get error frames, never a crash. */
import { afterEach, describe, expect, it } from 'vitest';
import { maxFrameBytes } from '../../bots/web/protocol.js';
import { Client, createRoom, newKey, startWeb, until, type WebKit } from './helpers.js';

describe('untrusted input on the web platform', () => {
  let kit: WebKit | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await kit?.stop();
    kit = undefined;
  });
  const open = async (): Promise<Client> => {
    const c = await Client.open(kit?.tb.url ?? '');
    clients.push(c);
    return c;
  };

  it('answers garbage frames with error frames and keeps the connection', async () => {
    kit = await startWeb();
    const c = await open();
    const garbage = ['not json', '[]', 'null', '42', '{"type":"nope"}', '{"type":"post","text":5}', '{"type":"hello"}', '{"type":"edit","id":"../../x","text":"a"}', '{"__proto__":{"type":"ping"}}'];
    for (const g of garbage) c.send(g);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send({ type: 'post', text: 'before hello' });
    await until('an answer to every frame', () => c.errors().length === garbage.length + 2);
    expect(c.errors().slice(0, garbage.length)).toEqual(Array(garbage.length).fill('bad_frame'));
    expect(c.errors().slice(-2)).toEqual(['bad_frame', 'not_joined']);
    c.send({ type: 'ping' });
    await c.next('pong');
    expect(c.closed).toBeUndefined();
  });

  it('caps names, text and frame size', async () => {
    kit = await startWeb({ web: { maxTextLength: 100 } });
    const id = await createRoom(kit.tb.url, 'Caps');
    const c = await open();
    for (const name of ['', '   ', 'x'.repeat(65), 'Sameroom', '\u202e\u200b']) c.send({ type: 'hello', room: id, name, key: newKey() });
    await until('five refusals', () => c.errors().length === 5);
    expect(c.errors()).toEqual(Array(5).fill('bad_name'));
    const welcome = await c.join(id, ' \u202eEve\u0007  Smith ');
    expect(welcome.you.name).toBe('Eve Smith');
    c.send({ type: 'post', text: 'x'.repeat(101) });
    c.send({ type: 'post', text: 'y'.repeat(maxFrameBytes(100)) });
    c.send({ type: 'post', text: '   ' });
    await until('three more refusals', () => c.errors().length === 8);
    expect(c.errors().slice(5)).toEqual(['too_long', 'too_large', 'empty']);
    expect((await c.post('x'.repeat(100))).text).toHaveLength(100);
    expect(c.closed).toBeUndefined();
  });

  it('closes only the connection that sends a frame beyond the server cap', async () => {
    kit = await startWeb();
    const c = await open();
    c.send('z'.repeat(2 * 1024 * 1024));
    await until('the close', () => c.closed);
    expect(c.closed?.code).toBe(1009);
    const d = await open();
    d.send({ type: 'ping' });
    await d.next('pong');
  });

  it('rate-limits a flood per connection with error frames, not a crash', async () => {
    kit = await startWeb({ web: { frameRate: { capacity: 10, perSecond: 1 } } });
    const id = await createRoom(kit.tb.url, 'Flood');
    const c = await open();
    await c.join(id, 'Flo');
    for (let i = 0; i < 200; i++) c.send({ type: 'post', text: `spam ${i}` });
    await until('an answer to every frame', () => c.frames.filter((f) => f.type === 'error' || (f.type === 'message' && f.nonce === undefined)).length >= 200);
    const posted = c.frames.filter((f) => f.type === 'message').length;
    expect(posted).toBeLessThanOrEqual(11);
    expect(c.errors().filter((e) => e === 'rate_limited').length).toBeGreaterThanOrEqual(189);
    // Another connection is not affected.
    const d = await open();
    expect((await d.join(id, 'Dee')).history.length).toBe(posted);
  });

  it('keeps markup and HTML in text as text', async () => {
    kit = await startWeb();
    const id = await createRoom(kit.tb.url, 'XSS');
    const c = await open();
    await c.join(id, '<b>Mallory</b>');
    const m = await c.post('<img src=x onerror=alert(1)> [click](javascript:evil)');
    expect(m.author.name).toBe('<b>Mallory</b>');
    expect(m.nodes[0]).toEqual({ type: 'text', text: '<img src=x onerror=alert(1)> ' });
    // The link node is passed as data; the browser only makes http(s)/mailto links (see the browser test).
    expect(m.nodes[1]).toMatchObject({ type: 'link', url: 'javascript:evil' });
  });

  it('refuses bad HTTP input', async () => {
    kit = await startWeb();
    const base = kit.tb.url;
    const post = (body: string): Promise<Response> => fetch(`${base}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"name":""}')).status).toBe(400);
    expect((await post(JSON.stringify({ name: 'n'.repeat(81) }))).status).toBe(400);
    expect((await post('{"name":')).status).toBe(400);
    expect((await post(JSON.stringify({ name: 'x'.repeat(10_000) }))).status).toBe(413);
    expect((await fetch(`${base}/assets/..%2Fsession.ts`)).status).toBe(404);
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
