/**
 * Logging with pino. Secrets are redacted by field name and scrubbed by value. JSON lines, or
 * readable coloured lines (pino-pretty) for a person at a terminal.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

const REDACT = [
  'token', '*.token', 'password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'headers["x-access-token"]', 'accessToken', '*.accessToken',
];

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  // Bot tokens inside URLs (Telegram puts them in the path).
  return out.replace(/\/bot\d+:[A-Za-z0-9_-]{20,}/g, '/bot[redacted]');
}

/** `LOG_FORMAT`: `json`, `pretty`, or (default) pretty when stdout is a terminal and JSON otherwise. */
export function wantsPretty(format: string | undefined, isTTY: boolean | undefined): boolean {
  return format === 'pretty' || (format !== 'json' && isTTY === true);
}

/** Readable lines on stdout: time, level, message, then the fields (scrubbed like JSON lines). */
export function prettyStream(colorize = true): pino.DestinationStream {
  return pretty({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true });
}

export function createLogger(level: string, secrets: readonly string[] = [], destination?: pino.DestinationStream): Logger {
  const opts: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a) => (typeof a === 'string' ? scrub(a, secrets) : a));
        method.apply(this, clean as Parameters<typeof method>);
      },
    },
    formatters: {
      log(obj) {
        const text = JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v));
        const clean = scrub(text, secrets);
        return clean === text ? obj : (JSON.parse(clean) as Record<string, unknown>);
      },
    },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
