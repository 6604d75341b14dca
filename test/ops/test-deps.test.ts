/**
 * scripts/test-deps.sh, which `npm test` runs first: on a machine without the test servers it
 * installs exactly the missing ones as root (or with sudo), and without either it fails with
 * the install line. Driven with stub `id`, `sudo`, `apt-get` and `service` commands on a PATH
 * that holds none of the real servers.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../scripts/test-deps.sh');
const dirs: string[] = [];

interface Machine {
  uid: number;
  sudo?: boolean;
  installed?: string[];
}

function run(m: Machine): { status: number | null; stderr: string; calls: string[] } {
  const bin = mkdtempSync(join(tmpdir(), 'sameroom-deps-'));
  dirs.push(bin);
  const log = join(bin, 'calls.log');
  const stub = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `echo ${m.uid}`);
  stub('apt-get', `echo "apt-get $*" >> ${log}`);
  stub('service', `echo "service $*" >> ${log}`);
  if (m.sudo !== undefined) stub('sudo', m.sudo ? `echo "sudo $*" >> ${log}; [ "$2" = true ] || "\${@:2}"` : 'exit 1');
  for (const server of m.installed ?? []) stub(server, 'exit 0');
  symlinkSync('/bin/cat', join(bin, 'cat'));
  const chromium = m.installed?.includes('chromium') ? join(bin, 'chromium') : join(bin, 'no-chromium');
  const res = spawnSync('/bin/bash', [SCRIPT], {
    env: { PATH: bin, TEST_DEPS_SBIN: '', CHROMIUM_PATH: chromium, HOME: bin },
    encoding: 'utf8',
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { status: res.status, stderr: res.stderr, calls };
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('scripts/test-deps.sh', () => {
  it('as root on a fresh machine installs every missing server and the browser, then stops the packaged daemons', () => {
    const r = run({ uid: 0 });
    expect(r.status).toBe(0);
    expect(r.calls).toContain('apt-get update -qq');
    expect(r.calls).toContain('apt-get install -y -qq --no-install-recommends redis-server chromium ngircd prosody');
    expect(r.calls).toEqual(expect.arrayContaining(['service redis-server stop', 'service ngircd stop', 'service prosody stop']));
  });

  it('installs only what is missing, and nothing when all is there', () => {
    expect(run({ uid: 0, installed: ['redis-server', 'chromium', 'prosody'] }).calls).toContain(
      'apt-get install -y -qq --no-install-recommends ngircd',
    );
    const none = run({ uid: 0, installed: ['redis-server', 'chromium', 'ngircd', 'prosody'] });
    expect(none.status).toBe(0);
    expect(none.calls).toEqual([]);
  });

  it('uses password-less sudo when not root', () => {
    const r = run({ uid: 1000, sudo: true, installed: ['chromium', 'ngircd', 'prosody'] });
    expect(r.status).toBe(0);
    expect(r.calls).toContain('sudo -n apt-get install -y -qq --no-install-recommends redis-server');
    expect(r.calls).toContain('apt-get install -y -qq --no-install-recommends redis-server');
  });

  it('without root or sudo installs nothing, says exactly what to install and fails', () => {
    for (const m of [{ uid: 1000 }, { uid: 1000, sudo: false }]) {
      const r = run({ ...m, installed: ['chromium'] });
      expect(r.status).toBe(1);
      expect(r.calls).toEqual([]);
      expect(r.stderr).toContain('sudo apt-get install -y --no-install-recommends redis-server ngircd prosody');
      expect(r.stderr).toContain('npm run test:unit');
    }
  });
});

describe('the test set-up without redis-server', () => {
  it('says what is missing and how to install it, not a raw ENOENT', async () => {
    const { startRedisServer } = await import('../helpers/redis-server.js');
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'sameroom-nopath-'));
    dirs.push(process.env.PATH);
    try {
      await expect(startRedisServer()).rejects.toThrow(/redis-server is not installed.*npm test.*apt-get install -y redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});
