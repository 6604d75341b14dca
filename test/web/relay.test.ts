/**
 * Web rooms as a relay platform, through a real bridge and real WebSockets: create, join,
 * commands, posts both ways, edits, deletes, replies, history with changes applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toPlain } from '../../src/markup.js';
import type { RemoteMessageId } from '../../src/model.js';
import { TestBot } from '../helpers/test-bot.js';
import type { StoreKind } from '../helpers/bridge-harness.js';
import { Client, codeIn, createRoom, startWeb, until, type WebKit } from './helpers.js';

describe('web rooms through the bridge', () => {
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

  it('creates a room, joins it and answers -sameroom commands as Sameroom', async () => {
    kit = await startWeb();
    const id = await createRoom(kit.tb.url, 'Support desk');
    expect(id).toMatch(/^[a-z0-9]{22}$/);
    const page = await fetch(`${kit.tb.url}/r/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/assets/app.js');

    const sam = await open();
    const welcome = await sam.join(id, 'Sam');
    expect(welcome.room).toEqual({ id, name: 'Support desk' });
    expect(welcome.history).toEqual([]);
    expect(welcome.limits.maxTextLength).toBe(8000);

    const cmd = await sam.post('-sameroom ping');
    const answer = await sam.next('message', (f) => f.message.kind === 'system');
    expect(answer.message.author.name).toBe('Sameroom');
    expect(toPlain(answer.message.text)).toMatch(/^pong: \d+ ms/);
    expect(answer.message.replyTo?.id).toBe(cmd.id);
    expect(await kit.web.roomName({ platform: 'web', channel: id })).toBe('Support desk');
  });

  it.each<StoreKind>(['embedded', 'redis'])('pairs with another platform and relays posts, edits, deletes and replies both ways (%s store)', async (store) => {
    const alpha = new TestBot('alpha');
    kit = await startWeb({ bots: [alpha], store });
    const { tb } = kit;
    const id = await createRoom(tb.url, 'Customers');
    const sam = await open();
    await sam.join(id, 'Sam');

    await sam.post('-sameroom open');
    const code = codeIn((await sam.next('message', (f) => f.message.kind === 'system')).message.text);
    await alpha.says('general', 'Ann', `-sameroom connect ${code}`);
    await tb.settle();
    expect(alpha.lines('general').at(-1)).toBe('bridge-bot: This room is now linked to Customers (Web): messages flow both ways. -sameroom list shows the links.');
    await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && toPlain(m.text).includes('now linked to #general (alpha)')));

    // web → alpha: alpha cannot impersonate, so its copy is prefixed.
    const hello = await sam.post('hello **alpha**');
    await tb.settle();
    expect(alpha.lines('general').at(-1)).toBe('bridge-bot: Sam: hello alpha');

    // alpha → web: the copy carries the real author, with canonical markup parsed for rendering.
    const annMsg = await alpha.says('general', 'Ann', 'hi _Sam_');
    await tb.settle();
    const copy = await until('the copy of Ann’s message', () => sam.shown().find((m) => m.kind === 'copy'));
    expect(copy.author.name).toBe('Ann');
    expect(copy.text).toBe('hi _Sam_');
    expect(copy.nodes).toEqual([{ type: 'text', text: 'hi ' }, { type: 'italic', children: [{ type: 'text', text: 'Sam' }] }]);

    // Edits both ways.
    sam.send({ type: 'edit', id: hello.id, text: 'hello **everyone**' });
    await sam.next('update', (f) => f.message.id === hello.id);
    await tb.settle();
    expect(alpha.lines('general')).toContain('bridge-bot: Sam: hello everyone');
    await alpha.edits('general', annMsg, 'hi _Sam_, edited');
    await tb.settle();
    const edited = await sam.next('update', (f) => f.message.id === copy.id);
    expect(edited.message).toMatchObject({ text: 'hi _Sam_, edited', edited: true, author: { name: 'Ann' } });

    // Replies both ways: web replies to the copy → alpha sees a reply to Ann's original.
    await sam.post('replying to Ann', { replyTo: copy.id });
    await tb.settle();
    expect(alpha.room('general').at(-1)).toMatchObject({ replyTo: annMsg });
    const alphaCopyOfHello = alpha.room('general').find((m) => toPlain(m.text).includes('hello everyone'))?.id as RemoteMessageId;
    await alpha.says('general', 'Ann', 'answering Sam', { replyTo: alphaCopyOfHello });
    await tb.settle();
    const reply = await until('Ann’s reply', () => sam.shown().find((m) => m.text === 'answering Sam'));
    expect(reply.replyTo).toMatchObject({ id: hello.id, authorName: 'Sam', excerpt: 'hello everyone' });

    // A web user cannot edit or delete a copy.
    sam.send({ type: 'edit', id: copy.id, text: 'hijacked' });
    sam.send({ type: 'delete', id: copy.id });
    await until('two refusals', () => sam.errors().filter((e) => e === 'not_yours').length === 2);

    // Deletes both ways.
    sam.send({ type: 'delete', id: hello.id });
    await sam.next('delete', (f) => f.id === hello.id);
    await tb.settle();
    expect(alpha.lines('general').some((l) => l.includes('hello everyone'))).toBe(false);
    await alpha.deletes('general', annMsg);
    await tb.settle();
    await sam.next('delete', (f) => f.id === copy.id);

    // A second browser joining gets the history as people see it now.
    const rita = await open();
    const welcome = await rita.join(id, 'Rita');
    const texts = welcome.history.map((m) => toPlain(m.text));
    expect(texts).toContain('replying to Ann');
    expect(texts).toContain('answering Sam');
    expect(texts.some((t) => t.includes('hello everyone') || t.includes('hi Sam'))).toBe(false);
    // Commands and answers were never relayed to alpha.
    expect(alpha.lines('general').some((l) => l.includes('sameroom open') || l.includes('To link a room'))).toBe(false);
  });

  it('shows other browsers the post live, and lets only the author change it', async () => {
    kit = await startWeb();
    const id = await createRoom(kit.tb.url, 'Team');
    const [a, b] = [await open(), await open()];
    await a.join(id, 'Ann');
    await b.join(id, 'Bob');
    const m = await a.post('mine');
    expect((await b.next('message')).message).toMatchObject({ id: m.id, kind: 'user', author: { name: 'Ann' } });
    b.send({ type: 'edit', id: m.id, text: 'not yours' });
    expect((await b.next('error')).code).toBe('not_yours');
    a.send({ type: 'edit', id: m.id, text: 'mine, edited' });
    expect((await b.next('update')).message.text).toBe('mine, edited');
    // The same person in another tab (same key) may change it.
    const a2 = await open();
    const key = 'same-person-key-0123456789';
    await a2.join(id, 'Ann', key);
    const m2 = await a2.post('from tab one');
    const a3 = await open();
    await a3.join(id, 'Ann', key);
    a3.send({ type: 'delete', id: m2.id });
    expect((await b.next('delete', (f) => f.id === m2.id)).id).toBe(m2.id);
  });

  it.each<StoreKind>(['embedded', 'redis'])('keeps a capped history with edits and deletes applied (%s store)', async (store) => {
    kit = await startWeb({ web: { historyCap: 5 }, store });
    const id = await createRoom(kit.tb.url, 'Capped');
    const a = await open();
    await a.join(id, 'Ann');
    const posted = [];
    for (let i = 1; i <= 8; i++) posted.push(await a.post(`message ${i}`));
    a.send({ type: 'edit', id: posted[6]?.id, text: 'message 7 (edited)' });
    a.send({ type: 'delete', id: posted[7]?.id });
    await a.next('delete');
    const b = await open();
    const welcome = await b.join(id, 'Bob');
    expect(welcome.history.map((m) => m.text)).toEqual(['message 4', 'message 5', 'message 6', 'message 7 (edited)']);
    expect(welcome.history[3]?.edited).toBe(true);
  });

  it('refuses a room that does not exist', async () => {
    kit = await startWeb();
    const a = await open();
    a.send({ type: 'hello', room: 'doesnotexist000000', name: 'Ann', key: 'k'.repeat(20) });
    expect((await a.next('error')).code).toBe('no_room');
    expect((await fetch(`${kit.tb.url}/r/doesnotexist000000`)).status).toBe(404);
  });
});
