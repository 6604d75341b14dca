import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, Downloader, hostMatches, isPublicAddress } from '../../src/download.js';

/** A file server on loopback that misbehaves on request. */
function fileServer(): { server: Server; seen: IncomingHttpHeaders[]; sent: { big: number } } {
  const seen: IncomingHttpHeaders[] = [];
  const sent = { big: 0 };
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const path = req.url ?? '/';
    const to = (loc: string): void => void res.writeHead(302, { location: loc }).end();
    if (path === '/ok') return void res.end('hello');
    if (path.startsWith('/go?')) return to(decodeURIComponent(path.slice(4)));
    if (path === '/loop') return to('/loop');
    if (path === '/slow') return void res.writeHead(200).write('x');
    if (path === '/declared') return void res.writeHead(200, { 'content-length': String(200 * 1024 * 1024) }).end();
    if (path === '/big') {
      // 200 MB, chunked (no content-length), written as fast as the client reads.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = (): void => {
        while (sent.big < 200 * 1024 * 1024) {
          sent.big += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      return pump();
    }
    res.writeHead(404).end();
  });
  return { server, seen, sent };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const a = fileServer();
const b = fileServer();
let hostA = '';
let hostB = '';
const dl = new Downloader({ maxBytes: 1024 * 1024, timeoutMs: 1500, maxRedirects: 3, allowHosts: [] });

beforeAll(async () => {
  hostA = await listen(a.server);
  hostB = await listen(b.server);
});
afterAll(async () => {
  await dl.close();
  a.server.closeAllConnections();
  b.server.closeAllConnections();
  await Promise.all([a.server, b.server].map((s) => new Promise((r) => s.close(r))));
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(DownloadError);
    return (err as DownloadError).code;
  }
}

describe('address and host checks', () => {
  it('calls only ordinary public unicast addresses public', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '64:ff9b::a00:1', '224.0.0.1']) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    for (const ip of ['93.184.216.34', '162.159.128.233', '2606:4700::6810:84e5']) expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('matches hosts, host:port and subdomain patterns, nothing looser', () => {
    const u = new URL('https://files.slack.com/x');
    expect(hostMatches(u, ['files.slack.com'])).toBe(true);
    expect(hostMatches(u, ['*.slack.com'])).toBe(true);
    expect(hostMatches(new URL('https://evilslack.com/x'), ['*.slack.com'])).toBe(false);
    expect(hostMatches(new URL('http://127.0.0.1:9/x'), ['127.0.0.1:8'])).toBe(false);
    expect(hostMatches(new URL('http://127.0.0.1:9/x'), ['http://127.0.0.1:9/api'])).toBe(true);
  });
});

describe('Downloader', () => {
  it('downloads from a host the operator configured, even on loopback', async () => {
    const bytes = await dl.download(`http://${hostA}/ok`, { configured: [hostA] });
    expect(Buffer.from(bytes).toString()).toBe('hello');
  });

  it('refuses a loopback address that is not configured, and a name resolving to one', async () => {
    expect(await codeOf(dl.download(`http://${hostA}/ok`, { hosts: [hostA] }))).toBe('refused_address');
    const port = hostA.split(':')[1];
    expect(await codeOf(dl.download(`http://localhost:${port}/ok`, { hosts: ['localhost'] }))).toBe('refused_address');
  });

  it('refuses hosts outside the platform allow-list', async () => {
    expect(await codeOf(dl.download(`http://${hostB}/ok`, { configured: [hostA] }))).toBe('refused_host');
    expect(await codeOf(dl.download('file:///etc/passwd', { configured: [hostA] }))).toBe('refused_host');
  });

  it('refuses redirects from an allowed host to loopback or the metadata address', async () => {
    const port = hostA.split(':')[1];
    const hosts = ['localhost', '169.254.169.254', '127.0.0.1'];
    const via = (target: string): string => `http://${hostA}/go?${encodeURIComponent(target)}`;
    expect(await codeOf(dl.download(via(`http://${hostB}/ok`), { configured: [hostA], hosts }))).toBe('refused_address');
    expect(await codeOf(dl.download(via(`http://localhost:${port}/ok`), { configured: [hostA], hosts }))).toBe('refused_address');
    expect(await codeOf(dl.download(via('http://169.254.169.254/latest/meta-data/'), { configured: [hostA], hosts }))).toBe('refused_address');
    expect(await codeOf(dl.download(via('http://169.254.169.254/latest/meta-data/'), { configured: [hostA] }))).toBe('refused_host');
  });

  it('follows at most the configured number of redirects', async () => {
    expect(await codeOf(dl.download(`http://${hostA}/loop`, { configured: [hostA] }))).toBe('redirects');
  });

  it('does not send credentials to another origin after a redirect', async () => {
    b.seen.length = 0;
    const url = `http://${hostA}/go?${encodeURIComponent(`http://${hostB}/ok`)}`;
    const bytes = await dl.download(url, { configured: [hostA, hostB], headers: { authorization: 'Bearer secret-token' } });
    expect(Buffer.from(bytes).toString()).toBe('hello');
    expect(b.seen).toHaveLength(1);
    expect(b.seen[0]?.authorization).toBeUndefined();
  });

  it('aborts a 200 MB stream at the limit instead of reading it all', async () => {
    expect(await codeOf(dl.download(`http://${hostA}/big`, { configured: [hostA] }))).toBe('too_large');
    await new Promise((r) => setTimeout(r, 100));
    expect(a.sent.big).toBeLessThan(100 * 1024 * 1024);
    expect(await codeOf(dl.download(`http://${hostA}/declared`, { configured: [hostA] }))).toBe('too_large');
  });

  it('gives up on a body that never ends', async () => {
    expect(await codeOf(dl.download(`http://${hostA}/slow`, { configured: [hostA] }))).toBe('timeout');
  });
});
