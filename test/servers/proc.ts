/** Shared plumbing for the private test servers: find the binary, spawn, wait for the port, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * Absolute path of a server binary, or an Error that says how to install it. Tests call this
 * in beforeAll so a missing server FAILS the run (CI installs them): nothing is skipped.
 */
export function requireBinary(name: string, apt: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed (looked in PATH and /usr/sbin). Install it with: apt-get install -y ${apt} (\`npm test\` does, as root or with sudo)`);
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, opts: { timeoutMs?: number; alive?: () => boolean; output?: () => string } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port });
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (opts.alive && !opts.alive()) throw new Error(`server exited before listening on ${port}:\n${opts.output?.() ?? ''}`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${opts.timeoutMs ?? 15_000} ms:\n${opts.output?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Proc {
  readonly child: ChildProcess;
  output(): string;
  alive(): boolean;
  /** SIGTERM (SIGKILL after 5 s); resolves when the process has exited. */
  stop(): Promise<void>;
}

export function startProc(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => out,
    alive,
    stop: async () => {
      if (!alive()) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/** Run a command to completion; rejects with its output on a non-zero exit. */
export async function run(bin: string, args: string[]): Promise<string> {
  const p = startProc(bin, args);
  const code = await new Promise<number | null>((resolve) => p.child.once('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${bin} ${args.join(' ')} exited with ${code}:\n${p.output()}`);
  return p.output();
}
