/** `/privacy` and `/terms`, which the Teams manifest links to: the operator's text, or a default. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { mountLegal } from '../../src/legal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('/privacy and /terms', () => {
  it('answer with a default page that names the bridge, with a strict content policy', async () => {
    const http = Fastify();
    mountLegal(http, {}, 'https://bridge.example.com');
    for (const path of ['/privacy', '/terms']) {
      const res = await http.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'");
      expect(res.body).toContain('https://bridge.example.com');
    }
    expect((await http.inject({ method: 'GET', url: '/privacy' })).body).toContain('<h1>Privacy</h1>');
  });

  it("show the operator's own text as text, paragraphs kept, nothing rendered as HTML", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sameroom-legal-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'privacy.txt'), 'Run by Acme <script>alert(1)</script> for {{PUBLIC_URL}}.\n\nContact: privacy@acme.example');
    const http = Fastify();
    mountLegal(http, { PRIVACY_FILE: join(dir, 'privacy.txt') }, 'https://bridge.acme.example');
    const body = (await http.inject({ method: 'GET', url: '/privacy' })).body;
    expect(body).toContain('<p>Run by Acme &lt;script&gt;alert(1)&lt;/script&gt; for https://bridge.acme.example.</p>');
    expect(body).toContain('<p>Contact: privacy@acme.example</p>');
    expect(body).not.toContain('<script>');
  });

  it('a file that cannot be read stops the start with the key and the path', () => {
    expect(() => mountLegal(Fastify(), { TERMS_FILE: '/nonexistent/terms.txt' }, 'https://x.example')).toThrow(
      'TERMS_FILE: cannot read "/nonexistent/terms.txt" (ENOENT)',
    );
  });
});
