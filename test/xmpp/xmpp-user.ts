/** A plain @xmpp/client account playing a human in the test room. */
import { randomUUID } from 'node:crypto';
import { client, xml, type Child, type Client, type Element } from '@xmpp/client';

export interface XmppUser {
  readonly xmpp: Client;
  /** Every message stanza received, in order. */
  readonly seen: Element[];
  join(room: string, nick: string): Promise<void>;
  /** Send a group chat message; returns its id (also used as origin-id). */
  say(room: string, body: string | null, ...extra: Child[]): Promise<string>;
  send(stanza: Element): Promise<void>;
  waitFor(pred: (st: Element) => boolean, timeoutMs?: number): Promise<Element>;
  stop(): Promise<void>;
}

export async function connectXmppUser(service: string, username: string, password: string): Promise<XmppUser> {
  const xmpp = client({ service, domain: 'localhost', username, password, resource: 'test' });
  xmpp.reconnect.stop(); // a test user does not come back on its own
  const seen: Element[] = [];
  const waiters = new Set<() => void>();
  xmpp.on('error', () => undefined);
  xmpp.on('stanza', (st) => {
    if (!st.is('message')) return;
    seen.push(st);
    for (const w of [...waiters]) w();
  });
  const waitFor = (pred: (st: Element) => boolean, timeoutMs = 10_000): Promise<Element> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = seen.find(pred);
        if (!hit) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${username}: no matching message within ${timeoutMs} ms; saw ${seen.map((s) => s.toString().slice(0, 300)).join('\n')}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  await xmpp.start();
  await xmpp.send(xml('presence'));
  return {
    xmpp,
    seen,
    join: async (room, nick) => {
      const joined = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${username} could not join ${room}`)), 10_000);
        const on = (st: Element): void => {
          if (!st.is('presence') || st.attrs.from !== `${room}/${nick}`) return;
          const self = st.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChildren('status').some((s) => s.attrs.code === '110');
          if (!self) return;
          clearTimeout(timer);
          xmpp.removeListener('stanza', on);
          resolve();
        };
        xmpp.on('stanza', on);
      });
      await xmpp.send(xml('presence', { to: `${room}/${nick}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
      await joined;
    },
    say: async (room, body, ...extra) => {
      const id = randomUUID();
      await xmpp.send(
        xml(
          'message',
          { type: 'groupchat', to: room, id },
          body === null ? null : xml('body', {}, body),
          xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id }),
          ...extra,
        ),
      );
      return id;
    },
    send: (stanza) => xmpp.send(stanza),
    waitFor,
    stop: async () => {
      xmpp.reconnect.stop();
      if (xmpp.status !== 'offline') await xmpp.stop().catch(() => undefined);
    },
  };
}
