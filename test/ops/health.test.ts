/**
 * What an operator's monitoring sees: /readyz per platform (a Matrix token that expires, a
 * platform that fails to start and is started again with back-off), /metrics with the platform
 * gauge, process metrics and delivery latency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createMatrixBot } from '../../bots/matrix/index.js';
import type { BotContext } from '../../src/bot.js';
import type { Bridge } from '../../src/bridge.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { buildBridge } from '../../src/setup.js';
import { createCommandRunner } from '../../commands/index.js';
import { FakeMatrix } from '../fakes/matrix/server.js';
import { link } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

/** Poll `pred` (sync or async) every 20 ms; fails after `ms`. */
async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Running {
  bridge: Bridge;
  url: string;
  logs: Record<string, unknown>[];
  get(path: string): Promise<{ status: number; body: string }>;
}

async function run(bots: TestBot[] | Parameters<typeof buildBridge>[2], env: Record<string, string> = {}): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'sameroom-health-'));
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ DATA_DIR: dir, PORT: '0', ...env });
  const log = createLogger('info', [], sink);
  const bridge = buildBridge(config, log, bots, createCommandRunner(), { retry: { baseDelayMs: 10, maxDelayMs: 100 }, platformRetryMs: { first: 50, max: 200 } });
  await bridge.start();
  const url = await bridge.http.listen({ port: 0, host: '127.0.0.1' });
  cleanup.push(async () => {
    await bridge.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  });
  const get = async (path: string) => {
    const res = await fetch(url + path);
    return { status: res.status, body: await res.text() };
  };
  return { bridge, url, logs, get };
}

describe('/readyz and the Matrix access token', () => {
  it('reports an expired token in /readyz, the metrics and the log within a minute, without the token', async () => {
    const fake = await new FakeMatrix().start();
    cleanup.push(() => fake.close());
    fake.createRoom('!general:fake.test', [], { name: 'General' });
    // A real homeserver holds /sync for 30 s; the token can expire while one waits.
    const matrix = createMatrixBot({ homeserverUrl: fake.url, accessToken: fake.botToken, syncTimeoutMs: 30_000, retryMs: 1000 });
    const r = await run([matrix], { MATRIX_ACCESS_TOKEN: fake.botToken });

    await until(() => fake.syncCount >= 2, 'the first syncs');
    const ready = await r.get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', store: 'ok', platforms: { matrix: { state: 'up' } } });

    fake.expireToken(fake.botToken);
    let answer = ready;
    // Within a minute of the expiry (the operator's requirement): the wait fails after that.
    await until(async () => (answer = await r.get('/readyz')).status === 503, '/readyz to say not ready', 60_000);
    const body = JSON.parse(answer.body) as { status: string; platforms: { matrix: { state: string; reason: string } } };
    expect(body.status).toBe('not ready');
    expect(body.platforms.matrix.state).toBe('down');
    expect(body.platforms.matrix.reason).toMatch(/MATRIX_ACCESS_TOKEN \(M_UNKNOWN_TOKEN, soft logout: it expired\).*does not expire/);
    expect((await r.get('/metrics')).body).toContain('sameroom_platform_up{platform="matrix"} 0');
    // /healthz is liveness: the process and its store are fine.
    expect((await r.get('/healthz')).status).toBe(200);

    const said = r.logs.filter((l) => l.level === 50 && String(l.msg).includes('M_UNKNOWN_TOKEN'));
    expect(said).toHaveLength(1);
    expect(JSON.stringify(r.logs)).not.toContain(fake.botToken);
  }, 90_000);

  it('a token that is already expired at start: the platform is down with the reason and retried, the others run', async () => {
    const fake = await new FakeMatrix().start();
    cleanup.push(() => fake.close());
    fake.expireToken(fake.botToken);
    const matrix = createMatrixBot({ homeserverUrl: fake.url, accessToken: fake.botToken, syncTimeoutMs: 2000, retryMs: 10 });
    const r = await run([new TestBot('web'), matrix]);
    const body = JSON.parse((await r.get('/readyz')).body) as { platforms: Record<string, { state: string; reason?: string }> };
    expect(body.platforms.web).toEqual({ state: 'up' });
    expect(body.platforms.matrix?.state).toBe('down');
    expect(body.platforms.matrix?.reason).toMatch(/M_UNKNOWN_TOKEN/);
    await until(() => r.logs.some((l) => l.msg === 'platform failed to start again; retrying'), 'a second attempt');
  });
});

/** A platform whose start fails `failures` times (after registering its webhook route), then works. */
class FlakyBot extends TestBot {
  attempts = 0;
  constructor(private readonly failFirst: number) {
    super('flaky');
  }
  override async start(ctx: BotContext): Promise<void> {
    const attempt = ++this.attempts;
    ctx.http.post('/flaky/hook', async () => ({ attempt }));
    if (attempt <= this.failFirst) throw new Error(`cannot reach flaky (attempt ${attempt})`);
    await super.start(ctx);
  }
}

describe('a platform that fails to start', () => {
  it('is reported down, started again with back-off, and then delivers; its webhook route follows the new start', async () => {
    const flaky = new FlakyBot(2);
    const other = new TestBot('other');
    const r = await run([other, flaky]);
    const first = JSON.parse((await r.get('/readyz')).body) as { status: string; platforms: Record<string, unknown> };
    expect(first.status).toBe('not ready');
    expect(first.platforms.flaky).toEqual({ state: 'down', reason: expect.stringMatching(/^cannot reach flaky \(attempt \d\)$/) });
    expect(r.bridge.bot('flaky')).toBeUndefined();

    await until(() => r.bridge.runner.state('flaky')?.state === 'up', 'flaky to start');
    expect(flaky.attempts).toBe(3);
    expect((await r.get('/readyz')).status).toBe(200);
    const hook = await fetch(`${r.url}/flaky/hook`, { method: 'POST' });
    expect(await hook.json()).toEqual({ attempt: 3 });
    expect(r.logs.filter((l) => l.msg === 'platform failed to start; retrying')).toHaveLength(1);
    expect(r.logs.some((l) => l.msg === 'platform started after earlier failures')).toBe(true);

    // It takes deliveries now, and their latency is measured per target platform.
    const tb = { settle: () => r.bridge.queue.idle() } as Parameters<typeof link>[0];
    await link(tb, other, 'a', flaky, 'b');
    await other.says('a', 'Ann', 'hello');
    await until(() => flaky.lines('b').some((l) => l.includes('hello')), 'the copy');
    await r.bridge.queue.idle();
    const metrics = (await r.get('/metrics')).body;
    expect(metrics).toMatch(/sameroom_delivery_seconds_count\{platform="flaky",op="post"\} [1-9]/);
    expect(metrics).toContain('sameroom_platform_up{platform="flaky"} 1');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
    expect(metrics).toContain('process_resident_memory_bytes');
  });
});

describe('the Grafana dashboard (docs/grafana-dashboard.json)', () => {
  it('queries only metrics the bridge exports', async () => {
    const { readFileSync } = await import('node:fs');
    const dash = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const r = await run([new TestBot('web')]);
    const exported = new Set(
      (await r.get('/metrics')).body
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .flatMap((l) => {
          const [, , name = '', type] = l.split(' ');
          return type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
        }),
    );
    const used = dash.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b(sameroom|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(used).toEqual(expect.arrayContaining(['sameroom_platform_up', 'sameroom_delivery_seconds_bucket', 'nodejs_eventloop_lag_p99_seconds']));
    for (const name of used) expect(exported, `${name} is exported`).toContain(name);
  });
});
