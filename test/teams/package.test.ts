/** `npm run teams:package`: the app zip Teams accepts, filled from the environment. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildTeamsPackage, packageProblems } from '../../scripts/teams-manifest.js';

const APP_ID = '6f1c2b9e-4a7d-4e0b-9c3a-2d5e8f1a7b40';

describe('Teams app package', () => {
  it('holds manifest.json and both icons at the root, every placeholder filled', () => {
    const { zip } = buildTeamsPackage({ TEAMS_APP_ID: APP_ID, PUBLIC_URL: 'https://bridge.example.com:8443/', TEAMS_DEVELOPER_NAME: 'Acme "Ops"' });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const text = new TextDecoder().decode(files['manifest.json']);
    expect(text).not.toContain('${{');
    const m = JSON.parse(text) as {
      id: string;
      developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
      bots: Array<{ botId: string }>;
      validDomains: string[];
      webApplicationInfo: { id: string };
    };
    expect(m.id).toBe(APP_ID);
    expect(m.bots[0]?.botId).toBe(APP_ID);
    expect(m.webApplicationInfo.id).toBe(APP_ID);
    expect(m.developer).toEqual({
      name: 'Acme "Ops"',
      websiteUrl: 'https://bridge.example.com:8443',
      privacyUrl: 'https://bridge.example.com:8443/privacy',
      termsOfUseUrl: 'https://bridge.example.com:8443/terms',
    });
    expect(m.validDomains).toEqual(['bridge.example.com']);
    // The icons are the repository's, byte for byte (PNG signature).
    expect([...(files['color.png'] ?? []).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('lists every missing or wrong key at once', () => {
    expect(packageProblems({})).toEqual([
      'TEAMS_APP_ID: not set (the Microsoft App ID of your Azure Bot)',
      'PUBLIC_URL: not set (the public HTTPS address of the bridge)',
    ]);
    expect(packageProblems({ TEAMS_APP_ID: 'my-bot', PUBLIC_URL: 'http://localhost:8080' })).toEqual([
      'TEAMS_APP_ID: not an app id (a GUID like 00000000-0000-0000-0000-000000000000), got "my-bot"',
      'PUBLIC_URL: Teams needs an https:// address, got "http://localhost:8080"',
    ]);
  });

  it('npm run teams:package writes the zip, or says what is wrong and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sameroom-teams-'));
    try {
      const tsx = join(import.meta.dirname, '../../node_modules/.bin/tsx');
      const script = join(import.meta.dirname, '../../scripts/teams-package.ts');
      const env = { PATH: process.env.PATH ?? '', HOME: dir };
      const ok = spawnSync(tsx, [script, join(dir, 'app.zip')], { cwd: dir, env: { ...env, TEAMS_APP_ID: APP_ID, PUBLIC_URL: 'https://b.example' }, encoding: 'utf8' });
      expect(ok.status).toBe(0);
      expect(Object.keys(unzipSync(readFileSync(join(dir, 'app.zip'))))).toContain('manifest.json');
      const bad = spawnSync(tsx, [script], { cwd: dir, env, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('TEAMS_APP_ID: not set');
      expect(bad.stderr).toContain('PUBLIC_URL: not set');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
