/** A private ngIRCd on a free loopback port, with the test configuration in test/servers/ngircd.conf. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/redis-server.js';
import { requireBinary, startProc, waitForPort, type Proc } from './proc.js';

export interface IrcServer {
  readonly host: string;
  readonly port: number;
  /** Kill the server (every client is disconnected). */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  restart(): Promise<void>;
  /** Stop and remove its temp folder. */
  close(): Promise<void>;
  output(): string;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function startNgircd(): Promise<IrcServer> {
  const bin = requireBinary('ngircd', 'ngircd');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sameroom-ngircd-'));
  const conf = join(dir, 'ngircd.conf');
  writeFileSync(
    conf,
    readFileSync(join(here, 'ngircd.conf'), 'utf8').replaceAll('{{PORT}}', String(port)).replaceAll('{{DIR}}', dir),
  );
  let proc: Proc | undefined;
  const launch = async (): Promise<void> => {
    const p = startProc(bin, ['--nodaemon', '--config', conf]);
    proc = p;
    await waitForPort(port, { alive: p.alive, output: p.output });
  };
  await launch();
  return {
    host: '127.0.0.1',
    port,
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
