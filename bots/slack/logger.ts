/** Bolt / WebClient / SocketModeClient log through the bridge's pino logger. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const fromPino = (level: string): LogLevel =>
  level === 'trace' || level === 'debug' ? LogLevel.DEBUG : level === 'info' ? LogLevel.INFO : level === 'warn' ? LogLevel.WARN : LogLevel.ERROR;

const show = (p: unknown): string => {
  if (p instanceof Error) return `${p.name}: ${p.message}`;
  if (typeof p === 'string') return p;
  try {
    return JSON.stringify(p) ?? String(p);
  } catch {
    return String(p);
  }
};
const line = (parts: unknown[]): string => parts.map(show).join(' ');

export function slackLogger(log: Logger): SlackLogger {
  return {
    debug: (...m: unknown[]) => log.debug(line(m)),
    info: (...m: unknown[]) => log.info(line(m)),
    warn: (...m: unknown[]) => log.warn(line(m)),
    error: (...m: unknown[]) => log.error(line(m)),
    // The level is pino's; Bolt asks, it does not decide.
    setLevel: () => undefined,
    getLevel: () => fromPino(log.level),
    setName: () => undefined,
  };
}
