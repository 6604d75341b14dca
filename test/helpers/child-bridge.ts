/** Run the real `npm start` entry (main.ts) as a child process, for crash and scale-out tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ChildBridge {
  readonly proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

const root = join(import.meta.dirname, '..', '..');

export function startChildBridge(env: Record<string, string>): ChildBridge {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { proc, output: () => out, exited, kill: (s) => proc.kill(s) };
}
