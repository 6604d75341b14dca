/**
 * Benchmark helper processes: the parent forks a TypeScript entry (through tsx) and calls its
 * handlers over the IPC channel. Each call is a typed request/response pair.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

type Handler = (args: never) => Promise<unknown>;
export type Api<A> = { [K in keyof A]: Handler };

interface Request {
  readonly id: number;
  readonly op: string;
  readonly args: unknown;
}

interface Response {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

export class Child<A extends Api<A>> {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number | string>;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: Response) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.value);
    });
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        for (const w of this.waiting.values()) w.reject(new Error(`bench helper exited (${code ?? signal})`));
        this.waiting.clear();
        resolve(code ?? signal ?? -1);
      }),
    );
  }

  /** Fork `entry` (a .ts file) with tsx, `--expose-gc`, and `env` added to ours. */
  static spawn<A extends Api<A>>(entry: string, env: Record<string, string> = {}): Child<A> {
    const proc = fork(entry, [], {
      // BENCH_CPU_PROF=dir writes a V8 CPU profile of every helper there (for finding hot spots).
      execArgv: [
        '--import', 'tsx', '--expose-gc',
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        // BENCH_NODE_FLAGS: extra V8/Node flags for the helpers (e.g. --max-semi-space-size=64).
        ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : []),
      ],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child<A>(proc);
  }

  call<K extends keyof A & string>(op: K, ...args: Parameters<A[K]>): Promise<Awaited<ReturnType<A[K]>>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const req: Request = { id, op, args: args[0] };
      this.proc.send(req, (err) => {
        if (err) {
          this.waiting.delete(id);
          reject(err);
        }
      });
    });
  }

  /** Resident set size of the child, bytes (Linux /proc). */
  rss(): number {
    return rssOf(this.proc.pid ?? 0);
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.disconnect();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/** In the child: answer the parent's calls with `handlers`; exit when the parent goes away. */
export function serve<A extends Api<A>>(handlers: A): void {
  const table = handlers as unknown as Record<string, (args: unknown) => Promise<unknown>>;
  process.on('message', (m: Request) => {
    const fn = table[m.op];
    const reply = (r: Response): void => {
      process.send?.(r);
    };
    if (!fn) {
      reply({ id: m.id, error: `no such op: ${m.op}` });
      return;
    }
    fn(m.args).then(
      (value) => reply({ id: m.id, value: value ?? null }),
      (err: unknown) => reply({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
