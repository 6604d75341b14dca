/** Every command, and every bad input: a clear one-line answer that changes nothing. */
import { afterEach, describe, expect, it, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Codes } from '../../src/codes.js';
import { RedisStore, connectRedis } from '../../src/store/redis.js';
import { Tubes } from '../../src/tubes.js';
import type { RoomKey } from '../../src/model.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn, link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

describe('commands', () => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });
  const last = (bot: TestBot, room: string): string => bot.lines(room).at(-1) ?? '';

  async function setup(env: Record<string, string> = {}): Promise<{ a: TestBot; b: TestBot }> {
    const a = new TestBot('alpha');
    const b = new TestBot('beta');
    tb = await startTestBridge({ store: 'embedded', bots: [a, b], env });
    return { a, b };
  }

  it('open answers with the exact line to paste: a 12-letter code in three groups from an unambiguous alphabet', async () => {
    const { a } = await setup();
    await a.says('x', 'Ann', '-sameroom open');
    const answer = last(a, 'x');
    expect(answer).toMatch(/-sameroom connect [A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}/);
    expect(answer).toContain('10 minutes');
    // 31 letters, 12 of them: more than 50 bits.
    expect(12 * Math.log2(31)).toBeGreaterThan(50);
  });

  it('accepts the command in any case, and with a different COMMAND_WORD', async () => {
    const { a } = await setup({ COMMAND_WORD: 'bridge' });
    await a.says('x', 'Ann', '-BRIDGE Open');
    expect(last(a, 'x')).toMatch(/-bridge connect /);
    await a.says('x', 'Ann', '-sameroom open');
    expect(last(a, 'x')).toBe('Ann: -sameroom open');
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const { a, b } = await setup();
    const cases: Array<[string, RegExp]> = [
      ['-sameroom frobnicate', /^bridge-bot: Unknown command "frobnicate"/],
      ['-sameroom connect', /^bridge-bot: Which room\?/],
      ['-sameroom connect not-a-code', /not valid/],
      ['-sameroom close', /Which link\?/],
      ['-sameroom close 7', /not linked to any other/],
      ['-sameroom direction sideways', /Unknown direction/],
      ['-sameroom format fancy', /Unknown format/],
      ['-sameroom log maybe', /Usage/],
      ['-sameroom help nothing', /Unknown command "nothing"/],
    ];
    for (const [cmd, want] of cases) {
      await b.says('y', 'Bob', cmd);
      expect(last(b, 'y')).toMatch(want);
    }
    expect(await tb?.bridge.tubes.of('beta::y' as RoomKey)).toEqual([]);
    void a;
  });

  it('a used or expired code gets the same answer as a wrong one', async () => {
    const { a, b } = await setup();
    await a.says('x', 'Ann', '-sameroom open');
    const code = codeIn(last(a, 'x'));
    await b.says('y', 'Bob', `-sameroom connect ${code}`);
    expect(last(b, 'y')).toMatch(/now linked/);
    await b.says('z', 'Bob', `-sameroom connect ${code}`);
    const used = last(b, 'z');
    await b.says('z', 'Bob', '-sameroom connect ABCD-EFGH-JKMN');
    expect(last(b, 'z')).toBe(used);
    expect(used).toMatch(/mistyped, expired or already used/);
  });

  it('expires codes after CODE_TTL_MINUTES', async () => {
    const { a, b } = await setup();
    const codes = new Codes(tb!.bridge.store, 30);
    const code = await codes.open('alpha::x' as RoomKey, 'test');
    await new Promise((r) => setTimeout(r, 60));
    await b.says('y', 'Bob', `-sameroom connect ${code}`);
    expect(last(b, 'y')).toMatch(/mistyped, expired or already used/);
    void a;
  });

  it('refuses a room connecting to itself and a tube that exists, keeping the code usable', async () => {
    const { a, b } = await setup();
    await a.says('x', 'Ann', '-sameroom open');
    const code = codeIn(last(a, 'x'));
    await a.says('x', 'Ann', `-sameroom connect ${code}`);
    expect(last(a, 'x')).toMatch(/cannot be linked to itself/);
    await b.says('y', 'Bob', `-sameroom connect ${code}`);
    expect(last(b, 'y')).toMatch(/now linked/);
    await link(tb!, a, 'x', b, 'y');
    expect(last(b, 'y')).toMatch(/already linked to #x \(alpha\)/);
    expect(await tb!.bridge.tubes.of('beta::y' as RoomKey)).toHaveLength(1);
  });

  it('rate-limits failed connects per room and per user, and logs them', async () => {
    const { a, b } = await setup();
    for (let i = 0; i < 5; i++) await b.says('y', 'Bob', '-sameroom connect AAAA-AAAA-AAAA');
    await a.says('x', 'Ann', '-sameroom open');
    const good = codeIn(last(a, 'x'));
    await b.says('y', 'Bob', `-sameroom connect ${good}`);
    expect(last(b, 'y')).toMatch(/Too many failed attempts: try again in \d+ min/);
    // Same user, another room: limited too. Another user in a fresh room is not.
    await b.says('w', 'Bob', `-sameroom connect ${good}`);
    expect(last(b, 'w')).toMatch(/Too many failed attempts/);
    await b.says('v', 'Val', `-sameroom connect ${good}`);
    expect(last(b, 'v')).toMatch(/now linked/);
    // Each room is its own tenant: y's log has its five refusals and its lockout, w's its lockout.
    const log = await tb!.bridge.seclog.recent(tb!.bridge.tenant(b.ref('y')));
    expect(log.filter((e) => e.type === 'connect_refused')).toHaveLength(5);
    expect(log.filter((e) => e.type === 'rate_limited')).toHaveLength(1);
    expect((await tb!.bridge.seclog.recent(tb!.bridge.tenant(b.ref('w')))).filter((e) => e.type === 'rate_limited')).toHaveLength(1);
    // What was typed is never logged.
    expect(JSON.stringify(log)).not.toContain('AAAA');
  });

  it('list, close, disable, format, ping, help, ^^^', async () => {
    const { a, b } = await setup();
    await link(tb!, a, 'x', b, 'y');
    await link(tb!, a, 'x', b, 'z');
    await a.says('x', 'Ann', '-sameroom list');
    expect(a.room('x').at(-1)?.text).toMatch(/1\. #y \\\(beta\\\)[^\n]*\n2\. #z \\\(beta\\\)/);
    await a.says('x', 'Ann', '-sameroom format brackets');
    await a.says('x', 'Ann', 'styled');
    await a.says('x', 'Ann', '^^^ stays here');
    await tb!.settle();
    expect(last(b, 'y')).toBe('bridge-bot: [Ann] styled');
    expect(b.lines('y').some((l) => l.includes('stays here'))).toBe(false);
    await a.says('x', 'Ann', '-sameroom ping');
    expect(last(a, 'x')).toMatch(/^bridge-bot: pong: \d+ ms through the bridge$/);
    await a.says('x', 'Ann', '-sameroom help');
    const help = a.room('x').at(-1)?.text ?? '';
    for (const verb of ['open', 'connect', 'portal', 'map', 'list', 'close', 'disable', 'pause', 'resume', 'ping', 'format', 'direction', 'log', 'help']) expect(help).toContain(`-sameroom ${verb}`);
    await a.says('x', 'Ann', '-sameroom disable');
    await tb!.settle();
    expect(last(a, 'x')).toBe('bridge-bot: Removed all 2 links of this room.');
    expect(last(b, 'y')).toBe('bridge-bot: This room is no longer linked to #x (alpha).');
    expect(last(b, 'z')).toBe('bridge-bot: This room is no longer linked to #x (alpha).');
    await link(tb!, a, 'x', b, 'y');
    await a.says('x', 'Ann', '-sameroom disable');
    expect(last(a, 'x')).toBe('bridge-bot: Removed all 1 link of this room.');
  });

  it('portal: members get the public page; the admin gets the admin and connect links privately; reset kills them', async () => {
    const { a, b } = await setup();
    await a.says('x', 'Ann', '-sameroom portal');
    const publicUrl = /(http\S+\/portal\/[A-Za-z0-9_-]+)/.exec(last(a, 'x'))?.[1];
    expect(publicUrl).toBeDefined();
    // Nothing secret in the room: the admin link went to Ann alone.
    expect(last(a, 'x')).toMatch(/I sent you its admin link in a direct message/);
    expect(a.lines('x').join('\n')).not.toMatch(/admin=|\/connect\//);
    const connectUrl = /connect (http\S+\/connect\/[A-Za-z0-9_-]+)/.exec(a.lastPrivate('x', 'Ann'))?.[1];
    expect(a.lastPrivate('x', 'Ann')).toMatch(/\?admin=[A-Za-z0-9_-]{24}/);
    // The public portal URL is not a connect capability.
    await b.says('y', 'Bob', `-sameroom connect ${publicUrl}`);
    expect(last(b, 'y')).toMatch(/not valid/);
    await a.says('x', 'Ann', '-sameroom portal reset');
    await b.says('y', 'Bob', `-sameroom connect ${connectUrl}`);
    expect(last(b, 'y')).toMatch(/not valid/);
    const fresh = /connect (http\S+\/connect\/[A-Za-z0-9_-]+)/.exec(a.lastPrivate('x', 'Ann'))?.[1];
    expect(fresh).not.toBe(connectUrl);
    await b.says('y', 'Bob', `-sameroom connect ${fresh}`);
    expect(last(b, 'y')).toMatch(/now linked to #x/);
  });

  it('map gives a link valid for a day', async () => {
    const { a } = await setup();
    await a.says('x', 'Ann', '-sameroom map');
    const token = /\/map\/([A-Za-z0-9_-]+)/.exec(last(a, 'x'))?.[1];
    expect(token).toBeDefined();
    const ttl = await tb!.bridge.store.ttl(`maplink:${token}`);
    expect(ttl).toBeGreaterThan(23 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('log on streams the tenant log: a room without a workspace sees only its own events', async () => {
    const { a, b } = await setup();
    await a.says('audit', 'Ann', '-sameroom log on');
    await a.says('x', 'Ann', '-sameroom open');
    await a.says('audit', 'Ann', '-sameroom open');
    await b.says('y', 'Bob', '-sameroom connect WRNG-WRNG-WRNG');
    await tb!.settle();
    const lines = a.lines('audit');
    expect(lines.some((l) => / open in #audit \(alpha\) by alpha:ann \(Ann\): code issued/.test(l))).toBe(true);
    // Another room of the same platform, and another platform's refusals, are not this room's.
    expect(lines.some((l) => l.includes('#x'))).toBe(false);
    expect(lines.some((l) => l.includes('connect_refused'))).toBe(false);
    await a.says('audit', 'Ann', '-sameroom log off');
    await a.says('audit', 'Ann', '-sameroom open');
    await tb!.settle();
    expect(a.lines('audit').filter((l) => l.includes('code issued'))).toHaveLength(1);
  });

  it('log on in a workspace streams its rooms, and the far side of its tubes by name only', async () => {
    const a = new TestBot('alpha', {}, '', 'T1');
    const b = new TestBot('beta');
    a.admins = new Map([['audit', new Set(['ann'])]]);
    tb = await startTestBridge({ store: 'embedded', bots: [a, b] });
    await a.says('audit', 'Ann', '-sameroom log on');
    await a.says('x', 'Ann', '-sameroom open');
    await b.says('y', 'Bob', `-sameroom connect ${codeIn(last(a, 'x'))}`);
    await tb.settle();
    const lines = a.lines("audit").join("\n");
    expect(lines).toMatch(/ open in #x \(alpha\) by alpha:ann \(Ann\): code issued/);
    expect(lines).toMatch(/ connect in #x \(alpha\) by Bob in #y \(beta\): linked to #y \(beta\)/);
    // The far side's internal ids (room key, user id) never reach this tenant.
    expect(lines).not.toMatch(/beta::y|beta:bob/);
  });
});

describe('codes under a race', () => {
  it('two connects racing for one code from two store clients make exactly one tube', async () => {
    const prefix = `race${randomBytes(3).toString('hex')}:`;
    const s1 = new RedisStore(connectRedis(inject('redisUrl')), prefix);
    const s2 = new RedisStore(connectRedis(inject('redisUrl')), prefix);
    try {
      const code = await new Codes(s1, 60_000).open('a::origin' as RoomKey, 'ann');
      const attempt = async (store: RedisStore, room: string): Promise<boolean> => {
        const grant = await new Codes(store, 60_000).claim(code);
        return grant ? (await new Tubes(store).create(grant.room, room as RoomKey, 'x')) !== null : false;
      };
      const results = await Promise.all([attempt(s1, 'b::one'), attempt(s2, 'b::two'), attempt(s1, 'b::three'), attempt(s2, 'b::four')]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await new Tubes(s1).of('a::origin' as RoomKey)).toHaveLength(1);
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
