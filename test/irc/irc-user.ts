/** A plain irc-framework client playing a human in the test channel. */
import IrcFramework from 'irc-framework';

export interface Seen {
  readonly type: 'privmsg' | 'action' | 'notice';
  readonly nick: string;
  readonly target: string;
  readonly message: string;
  readonly at: number;
}

export interface IrcUser {
  readonly client: IrcFramework.Client;
  readonly seen: Seen[];
  /** Raw lines received from the server. */
  readonly raw: string[];
  waitFor(pred: (s: Seen) => boolean, timeoutMs?: number): Promise<Seen>;
  waitForCount(pred: (s: Seen) => boolean, n: number, timeoutMs?: number): Promise<Seen[]>;
  waitForEvent<K extends keyof IrcFramework.Events>(event: K, pred: (e: IrcFramework.Events[K]) => boolean, timeoutMs?: number): Promise<IrcFramework.Events[K]>;
  join(channel: string): Promise<void>;
  quit(): Promise<void>;
}

export async function connectUser(port: number, nick: string): Promise<IrcUser> {
  const client = new IrcFramework.Client();
  const seen: Seen[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };
  for (const type of ['privmsg', 'action', 'notice'] as const) {
    client.on(type, (e) => {
      seen.push({ type, nick: e.nick, target: e.target, message: e.message, at: Date.now() });
      notify();
    });
  }
  client.on('raw', (e) => {
    if (e.from_server) raw.push(e.line);
  });
  const waitForEvent = <K extends keyof IrcFramework.Events>(
    event: K,
    pred: (e: IrcFramework.Events[K]) => boolean,
    timeoutMs = 10_000,
  ): Promise<IrcFramework.Events[K]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off(event, on);
        reject(new Error(`${nick}: no ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (e: IrcFramework.Events[K]): void => {
        if (!pred(e)) return;
        clearTimeout(timer);
        client.off(event, on);
        resolve(e);
      };
      client.on(event, on);
    });
  const waitForCount = (pred: (s: Seen) => boolean, n: number, timeoutMs = 10_000): Promise<Seen[]> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hits = seen.filter(pred);
        if (hits.length < n) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hits);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${nick}: ${seen.filter(pred).length}/${n} matching messages within ${timeoutMs} ms; saw ${JSON.stringify(seen.map((s) => s.message.slice(0, 40)))}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  const registered = waitForEvent('registered', () => true);
  client.connect({ host: '127.0.0.1', port, nick, username: nick, auto_reconnect: false, version: null });
  await registered;
  return {
    client,
    seen,
    raw,
    waitFor: async (pred, timeoutMs) => (await waitForCount(pred, 1, timeoutMs))[0] as Seen,
    waitForCount,
    waitForEvent,
    join: async (channel) => {
      const joined = waitForEvent('join', (e) => e.nick === nick && client.caseCompare(e.channel, channel));
      client.join(channel);
      await joined;
    },
    quit: async () => {
      if (!client.connected) return;
      const closed = waitForEvent('close', () => true, 5000).catch(() => undefined);
      client.quit('bye');
      await closed;
    },
  };
}
