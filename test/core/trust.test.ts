/**
 * Who may do what, on both stores: admin-only commands, the connect lockout under concurrency,
 * the size caps, and that no answer shows a room's internal key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import { remoteId, roomKey, type RoomKey } from '../../src/model.js';
import { startTestBridge, type StoreKind, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn, link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { until } from '../web/helpers.js';

describe.each<StoreKind>(['embedded', 'redis'])('trust (%s)', (store) => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });
  const last = (bot: TestBot, room: string): string => bot.lines(room).at(-1) ?? '';

  async function setup(env: Record<string, string> = {}): Promise<{ a: TestBot; b: TestBot; bridge: TestBridge }> {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    const bridge = await startTestBridge({ store, bots: [a, b], env });
    tb = bridge;
    return { a, b, bridge };
  }

  it('refuses admin commands to members where the platform tells, says who may, and logs it', async () => {
    const { a, b, bridge } = await setup();
    await link(bridge, a, 'x', b, 'y');
    a.admins = new Map([['x', new Set(['ann'])]]);
    const x = roomKey(a.ref('x'));
    for (const cmd of ['close 1', 'disable', 'direction in', 'format plain', 'log on', 'portal reset']) {
      await a.says('x', 'Mallory', `-sameroom ${cmd}`);
      expect(last(a, 'x'), cmd).toMatch(/^bridge-bot: Only an admin of this room can .*: the test room’s admins\.$/);
    }
    expect(await bridge.bridge.tubes.of(x)).toHaveLength(1);
    expect((await bridge.bridge.rooms.get(x)).direction).toBe('both');
    const log = await bridge.bridge.seclog.recent(bridge.bridge.tenant(a.ref('x')));
    expect(log.filter((e) => e.type === 'refused' && e.actor === 'alpha:mallory (Mallory)')).toHaveLength(6);
    // Members keep open, connect, list, map, ping, help; `portal` gives them the public page only.
    for (const cmd of ['open', 'list', 'map', 'ping', 'help']) {
      await a.says('x', 'Mallory', `-sameroom ${cmd}`);
      expect(last(a, 'x'), cmd).not.toMatch(/Only an admin/);
    }
    await a.says('x', 'Mallory', '-sameroom portal');
    expect(last(a, 'x')).toMatch(/\/portal\/[A-Za-z0-9_-]+\nOnly an admin of this room can get the admin link/);
    expect(a.lastPrivate('x', 'Mallory')).toBe('');
    // The admin may.
    await a.says('x', 'Ann', '-sameroom close 1');
    expect(last(a, 'x')).toMatch(/no longer linked/);
    // A lookup that fails refuses with a retry answer, and changes nothing.
    a.adminLookupFails = true;
    await a.says('x', 'Zed', '-sameroom direction out');
    expect(last(a, 'x')).toMatch(/could not check with alpha whether you administer this room: try again/);
    expect((await bridge.bridge.rooms.get(x)).direction).toBe('both');
  });

  it('COMMAND_PERMISSIONS: strict refuses where the platform cannot tell; members lets everyone', async () => {
    const { a, b } = await setup({ COMMAND_PERMISSIONS: 'strict' });
    b.admins = undefined;
    await b.says('y', 'Bob', '-sameroom direction in');
    expect(last(b, 'y')).toMatch(/Only an admin of this room can .*as the bridge is set to COMMAND_PERMISSIONS=strict/);
    await tb?.stop();
    const loose = await setup({ COMMAND_PERMISSIONS: 'members' });
    loose.a.admins = new Map([['x', new Set(['ann'])]]);
    await loose.a.says('x', 'Mallory', '-sameroom direction in');
    expect(last(loose.a, 'x')).toMatch(/now only receives/);
    void a;
  });

  it('25 concurrent wrong codes count as 25, and only the first 5 are looked at', async () => {
    const { b, bridge } = await setup();
    await Promise.all(Array.from({ length: 25 }, () => b.says('y', 'Bob', '-sameroom connect AAAA-BBBB-CCCC')));
    const y = roomKey(b.ref('y'));
    expect(await bridge.bridge.store.get(keys.connectAttempts(`room:${y}`))).toBe('25');
    expect(await bridge.bridge.store.get(keys.connectAttempts('user:beta:bob'))).toBe('25');
    const log = await bridge.bridge.seclog.recent(bridge.bridge.tenant(b.ref('y')), 100);
    expect(log.filter((e) => e.type === 'connect_refused')).toHaveLength(5);
    expect(log.filter((e) => e.type === 'rate_limited')).toHaveLength(20);
    expect(b.lines('y').filter((l) => l.includes('Too many failed attempts'))).toHaveLength(20);
  });

  it('on the web, failed connects also count per client address, across rooms and people', async () => {
    const { b, bridge } = await setup();
    let n = 0;
    const attempt = (room: string, who: string): Promise<void> =>
      b.ingest({ kind: 'post', room: b.ref(room), eventId: `addr-${++n}`, id: remoteId(`m${n}`), author: { id: who, name: who }, text: '-sameroom connect AAAA-BBBB-CCCC', clientAddress: '203.0.113.7' });
    for (let i = 0; i < 5; i++) await attempt(`room${i}`, `person${i}`);
    await attempt('fresh', 'newcomer');
    expect(await bridge.bridge.store.get(keys.connectAttempts('addr:203.0.113.7'))).toBe('6');
    const log = await bridge.bridge.seclog.recent(bridge.bridge.tenant(b.ref('fresh')));
    expect(log.map((e) => e.type)).toEqual(['rate_limited']);
  });

  it('refuses the 21st room of a same room, and a room past its tube limit', async () => {
    const { a, b, bridge } = await setup({ MAX_TUBES_PER_ROOM: '25' });
    for (let i = 1; i <= 19; i++) await link(bridge, a, 'hub', b, `r${i}`);
    expect(await bridge.bridge.tubes.component(roomKey(a.ref('hub')))).toHaveLength(20);
    await a.says('hub', 'Ann', '-sameroom open');
    const code = codeIn(last(a, 'hub'));
    await b.says('r20', 'Bob', `-sameroom connect ${code}`);
    expect(last(b, 'r20')).toBe('bridge-bot: Linking them would make a same room of 21 rooms: at most 20 rooms can be linked together.');
    expect(await bridge.bridge.tubes.of(roomKey(b.ref('r20')))).toHaveLength(0);
    // Refused by the cap, the code still works where it fits: a room already in the same room.
    await b.says('r1', 'Bob', `-sameroom connect ${code}`);
    expect(last(b, 'r1')).toMatch(/already linked/);
  });

  it('MAX_TUBES_PER_ROOM caps the links of one room', async () => {
    const { a, b, bridge } = await setup({ MAX_TUBES_PER_ROOM: '2' });
    await link(bridge, a, 'x', b, 'y1');
    await link(bridge, a, 'x', b, 'y2');
    expect(await link(bridge, a, 'x', b, 'y3')).toMatch(/at most 2 links, and that room has 2/);
    expect(await bridge.bridge.tubes.of(roomKey(a.ref('x')))).toHaveLength(2);
  });

  it('no answer, notice or log line shows a room key', async () => {
    const { a, b, bridge } = await setup();
    a.admins = new Map([['x', new Set(['ann'])]]);
    await link(bridge, a, 'x', b, 'y');
    await a.says('x', 'Ann', '-sameroom log on');
    await a.says('x', 'Ann', '-sameroom portal');
    await a.says('x', 'Ann', '-sameroom list');
    await b.says('y', 'Bob', '-sameroom close 1');
    await b.says('y', 'Bob', '-sameroom connect WRNG-WRNG-WRNG');
    // Log lines are posted as their entries are written, a moment after the command.
    await until('the close in x’s log', () => a.lines('x').some((l) => /close in #x \(alpha\) by Bob in #y \(beta\)/.test(l)));
    await bridge.settle();
    const keysShown = (bot: TestBot, room: string): string[] => bot.lines(room).filter((l) => /(alpha|beta)::[a-z]/.test(l));
    expect(keysShown(a, 'x')).toEqual([]);
    expect(keysShown(b, 'y')).toEqual([]);
    expect(a.lastPrivate('x', 'Ann')).not.toMatch(/alpha::|beta::/);
  });
});

describe('workspace logs', () => {
  it('only an admin the platform confirms may read a workspace log: `log on` and the admin link', async () => {
    const a = new TestBot('alpha', {}, '', 'T1');
    const tb = await startTestBridge({ store: 'embedded', bots: [a] });
    try {
      // The platform cannot tell: changing this room is allowed, reading the workspace's log is not.
      await a.says('x', 'Ann', '-sameroom direction in');
      expect(a.lines('x').at(-1)).toMatch(/now only receives/);
      await a.says('x', 'Ann', '-sameroom log on');
      expect(a.lines('x').at(-1)).toMatch(/Only an admin of this room can use -sameroom log: admins the alpha bot can confirm, as it shows the log of the whole workspace\./);
      await a.says('x', 'Ann', '-sameroom portal');
      expect(a.lines('x').at(-1)).toMatch(/Only an admin of this room can get the admin link/);
      expect(a.privateLog.size).toBe(0);
      // (Answers are cached for a while per person: another person, whom the platform confirms.)
      a.admins = new Map([['x', new Set(['ada'])]]);
      await a.says('x', 'Ada', '-sameroom log on');
      await tb.settle();
      // The core posts the answer; the log's own line about it may come before or after.
      expect(a.lines('x').slice(-2).some((l) => /now receives its security log/.test(l))).toBe(true);
    } finally {
      await tb.stop();
    }
  });
});

describe('guests', () => {
  it('a portal guest room may run help and ping only', async () => {
    const a = new TestBot('alpha');
    const tb = await startTestBridge({ store: 'embedded', bots: [a] });
    try {
      await tb.bridge.store.set(keys.guestRoom(roomKey(a.ref('guests')) as RoomKey), 'secret');
      for (const cmd of ['close 1', 'disable', 'portal', 'log on', 'open', 'list', 'map']) {
        await a.says('guests', 'Gina', `-sameroom ${cmd}`);
        expect(a.lines('guests').at(-1), cmd).toBe('bridge-bot: In a guest chat you can talk, and use -sameroom help and -sameroom ping.');
      }
      await a.says('guests', 'Gina', '-sameroom ping');
      expect(a.lines('guests').at(-1)).toMatch(/pong/);
      expect(a.privateLog.size).toBe(0);
    } finally {
      await tb.stop();
    }
  });
});
