/**
 * Older pages wait for a browser that has not read the last one: while more than 1 MiB is still
 * unsent on its socket, `older` gets a `busy` error (the page asks again) instead of more data.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { Hub, WebChat } from '../../bots/web/chat.js';
import { WEB_DEFAULTS } from '../../bots/web/config.js';
import { WebRooms } from '../../bots/web/history.js';
import type { ServerFrame } from '../../bots/web/protocol.js';
import { Session } from '../../bots/web/session.js';
import { createLogger } from '../../src/log.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { newKey, until } from './helpers.js';

/** The parts of a ws socket a Session uses, with a send buffer the test controls. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: ServerFrame[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ServerFrame);
  }
  terminate(): void {
    this.readyState = 3;
  }
  /** A frame from the browser. */
  frame(f: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(f)), false);
  }
}

describe('older pages and back-pressure', () => {
  it('refuses an older page while the browser is behind, and sends it once it has caught up', async () => {
    const store = new EmbeddedStore(mkdtempSync(join(tmpdir(), 'sameroom-bp-')));
    const config = { ...WEB_DEFAULTS, maxFileBytes: 1024, historyPage: 5 };
    const rooms = new WebRooms(store, config);
    const chat = new WebChat(rooms, new Hub(), async () => undefined);
    const room = await rooms.create('Busy');
    for (let i = 1; i <= 12; i++) await chat.add(room.id, { kind: 'user', author: { id: 'u1', name: 'Ann' }, text: `m${i}`, files: [] });
    const socket = new FakeSocket();
    new Session(socket as unknown as WebSocket, { chat, config, log: createLogger('silent'), fileMeta: async () => null, ingest: async () => undefined, joined: async () => undefined }, () => undefined);

    socket.frame({ type: 'hello', room: room.id, name: 'Bob', key: newKey() });
    const welcome = await until('welcome', () => socket.sent.find((f): f is Extract<ServerFrame, { type: 'welcome' }> => f.type === 'welcome'));
    expect(welcome.history.map((m) => m.text)).toEqual(['m8', 'm9', 'm10', 'm11', 'm12']);
    const before = welcome.cursor;

    socket.bufferedAmount = 2 * 1024 * 1024;
    socket.frame({ type: 'older', before });
    const refused = await until('an error', () => socket.sent.find((f) => f.type === 'error'));
    expect(refused).toMatchObject({ type: 'error', code: 'busy' });
    expect(socket.sent.some((f) => f.type === 'history')).toBe(false);

    socket.bufferedAmount = 0;
    socket.frame({ type: 'older', before });
    const page = await until('a page', () => socket.sent.find((f): f is Extract<ServerFrame, { type: 'history' }> => f.type === 'history'));
    expect(page.messages.map((m) => m.text)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect(page.more).toBe(true);
    await store.close();
  });
});
