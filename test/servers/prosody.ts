/**
 * A private Prosody on free loopback ports (c2s + HTTP for XEP-0363 uploads), with the test
 * configuration in test/servers/prosody.cfg.lua, data in a temp folder, users registered with
 * `prosodyctl register`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/redis-server.js';
import { requireBinary, run, startProc, waitForPort, type Proc } from './proc.js';

export interface XmppServer {
  readonly port: number;
  readonly httpPort: number;
  /** `xmpp://127.0.0.1:port` */
  readonly service: string;
  readonly domain: string;
  readonly mucDomain: string;
  readonly uploadDomain: string;
  readonly uploadLimit: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
  output(): string;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function startProsody(opts: { users: Record<string, string>; uploadLimit?: number }): Promise<XmppServer> {
  const bin = requireBinary('prosody', 'prosody');
  const ctl = requireBinary('prosodyctl', 'prosody');
  const [port, httpPort] = [await freePort(), await freePort()];
  const uploadLimit = opts.uploadLimit ?? 1024 * 1024;
  const dir = mkdtempSync(join(tmpdir(), 'sameroom-prosody-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'certs'));
  const conf = join(dir, 'prosody.cfg.lua');
  writeFileSync(
    conf,
    readFileSync(join(here, 'prosody.cfg.lua'), 'utf8')
      .replaceAll('{{DIR}}', dir)
      .replaceAll('{{C2S_PORT}}', String(port))
      .replaceAll('{{HTTP_PORT}}', String(httpPort))
      .replaceAll('{{UPLOAD_LIMIT}}', String(uploadLimit))
      .replaceAll('{{LOG_LEVEL}}', process.env.PROSODY_LOG_LEVEL ?? 'info'),
  );
  for (const [user, password] of Object.entries(opts.users)) {
    await run(ctl, ['--config', conf, 'register', user, 'localhost', password]);
  }
  let proc: Proc | undefined;
  const launch = async (): Promise<void> => {
    const p = startProc(bin, ['-F', '--config', conf]);
    proc = p;
    await waitForPort(port, { alive: p.alive, output: p.output });
    await waitForPort(httpPort, { alive: p.alive, output: p.output });
  };
  await launch();
  return {
    port,
    httpPort,
    service: `xmpp://127.0.0.1:${port}`,
    domain: 'localhost',
    mucDomain: 'muc.localhost',
    uploadDomain: 'upload.localhost',
    uploadLimit,
    stop: async () => {
      await proc?.stop();
    },
    restart: launch,
    close: async () => {
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => proc?.output() ?? '',
  };
}
