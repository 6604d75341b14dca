/**
 * The set-up the end-to-end tubes share, so that each test file states only its platform.
 *
 * `useRig()` (once per file) closes after every test what the test opened, last opened first:
 * web clients, then people's clients, then the bridge, then the fake or server. On top of it:
 * - `rig.lobby(bot)`: a real bridge with the platform's bot and a test platform `alpha` whose room
 *   `lobby` the test reads and writes; `lobby.pair(…)` pairs them from the platform's side.
 * - `rig.web(bot)` + `rig.webRoom(tb, …)`: the same with the web platform, paired from a web room
 *   in which Sam is the one who talks; `editOnWeb`, `copyOnWeb`, … are what Sam does and sees.
 */
import { afterEach } from 'vitest';
import type { ServerFrame, WireMessage } from '../../bots/web/protocol.js';
import type { Bot } from '../../src/bot.js';
import { toPlain } from '../../src/markup.js';
import { remoteId, type Capabilities } from '../../src/model.js';
import { startTestBridge, type StoreKind, type TestBridge, type TestBridgeOptions } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn as webCodeIn, createRoom, startWeb, until } from '../web/helpers.js';
import { waitFor } from './waitfor.js';

/** What the bridge puts into names and mass mentions so that they never ping. */
export const ZWSP = '\u200b';

/** How long the rig waits for anything to show up. */
const WAIT_MS = 10_000;

export interface BridgeOptions {
  readonly store?: StoreKind;
  readonly env?: Record<string, string>;
}

export interface Rig {
  /** Run `fn` after the test (last deferred, first run). */
  defer(fn: () => unknown): void;
  /** Close `thing` after the test; returns it. */
  own<T extends { close(): unknown }>(thing: T): T;
  /** Start a bridge; the one started last is stopped after the test (a restart replaces it). */
  bridge(opts: TestBridgeOptions): Promise<TestBridge>;
  /** A bridge with `bot` and the test platform `alpha` (which impersonates unless told otherwise). */
  lobby(bot: Bot, opts?: BridgeOptions & { readonly impersonate?: boolean }): Promise<Lobby>;
  /** A bridge with the web platform and `bot`. */
  web(bot: Bot, opts?: BridgeOptions): Promise<TestBridge>;
  /** A web room paired with the platform's room through the real commands; Sam is in it. */
  webRoom(tb: TestBridge, p: WebPairing): Promise<Client>;
}

export interface Lobby {
  readonly tb: TestBridge;
  /** The test platform; its room `lobby` is the other end of the tube. */
  readonly other: TestBot;
  /**
   * `open` in the platform's room, `-sameroom connect <code>` by Bob (or `who`) in the lobby; waits for the
   * platform's "now linked" notice unless told not to. Returns the bot's answer to `open` in the
   * platform and the lobby's last line once the bridge settled (its answer to `connect`).
   */
  pair(p: LobbyPairing): Promise<{ readonly answer: string; readonly notice: string }>;
  /** Carol, whose avatar the lobby knows, posts `with a face` in the lobby; resolves once settled. */
  postWithAvatar(): Promise<void>;
  /**
   * `post('marker')` in the platform's room; resolves once the marker reached the lobby and the bridge
   * settled, so that whatever the platform sent before it has been handled.
   */
  marker(post: (text: string) => unknown): Promise<void>;
}

export interface LobbyPairing {
  /** The platform's name, for what the waits say when they time out. */
  readonly platform: string;
  /** Someone types the `open` command in the platform's room (`-sameroom open` or the platform's form). */
  open(): unknown;
  /** What the bot said in the platform's room, oldest first. */
  answers(): string[];
  /** Who pastes the code in the lobby; Bob unless told. */
  readonly who?: string;
  /** Wait for the bot's `now linked to #lobby (alpha)` in the platform's room (the default), or a notice that passes this test, or not at all. */
  linked?: boolean | ((answer: string) => boolean);
}

export interface WebPairing {
  /** The platform's name, for what the waits say when they time out. */
  readonly platform: string;
  /** The web room's name; `Customers` unless told. */
  readonly room?: string;
  /** Someone types the connect command with `code` in the platform's room. */
  connect(code: string): unknown;
  /** What the bot said in the platform's room, oldest first. */
  answers(): string[];
  /** How the web room's link notice names the platform's room. */
  readonly notice: string | RegExp;
  /** Which answer in the platform's room says it is linked; by default one that names the web room. */
  linked?(answer: string): boolean;
}

export function useRig(): Rig {
  const deferred: Array<() => unknown> = [];
  /** The bridge the test started last: the one to stop after it. */
  let current: TestBridge | undefined;
  afterEach(async () => {
    let first: unknown;
    for (const fn of deferred.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  });
  const defer = (fn: () => unknown): void => {
    deferred.push(fn);
  };
  /** Stop `tb` after the test, unless a later bridge of the test replaces it. */
  const track = (tb: TestBridge): TestBridge => {
    if (!current) {
      defer(async () => {
        const last = current;
        current = undefined;
        await last?.stop();
      });
    }
    current = tb;
    return tb;
  };
  const bridge = async (opts: TestBridgeOptions): Promise<TestBridge> => track(await startTestBridge(opts));

  return {
    defer,
    own: (thing) => {
      defer(() => thing.close());
      return thing;
    },
    bridge,

    lobby: async (bot, opts = {}) => {
      const caps: Partial<Capabilities> = (opts.impersonate ?? true) ? { impersonate: true } : {};
      const other = new TestBot('alpha', caps);
      const tb = await bridge({ store: opts.store ?? 'embedded', bots: [bot, other], ...(opts.env ? { env: opts.env } : {}) });
      return {
        tb,
        other,
        pair: async (p) => {
          await p.open();
          await waitFor(() => p.answers().some((t) => t.includes('connect')), WAIT_MS, 'open answer');
          const answer = p.answers().at(-1) ?? '';
          await other.says('lobby', p.who ?? 'Bob', `-sameroom connect ${codeIn(answer)}`);
          await tb.settle();
          const notice = other.lines('lobby').at(-1) ?? '';
          const linked = p.linked ?? true;
          if (linked) {
            const ok = linked === true ? (t: string) => t.includes('now linked to #lobby (alpha)') : linked;
            await waitFor(() => p.answers().some(ok), WAIT_MS, `linked notice in ${p.platform}`);
          }
          return { answer, notice };
        },
        postWithAvatar: async () => {
          await other.ingest({
            kind: 'post',
            room: other.ref('lobby'),
            eventId: 'carol-1',
            id: remoteId('carol-1'),
            author: { id: 'carol', name: 'Carol', avatarUrl: 'https://example.com/carol.png' },
            text: 'with a face',
          });
          await tb.settle();
        },
        marker: async (post) => {
          await post('marker');
          await waitFor(() => other.room('lobby').some((m) => m.text === 'marker'), WAIT_MS, 'marker in lobby');
          await tb.settle();
        },
      };
    },

    web: async (bot, opts = {}) => track((await startWeb({ bots: [bot], ...opts })).tb),

    webRoom: async (tb, p) => {
      const room = p.room ?? 'Customers';
      const id = await createRoom(tb.url, room);
      const sam = await Client.open(tb.url);
      defer(() => sam.close());
      await sam.join(id, 'Sam');
      await sam.post('-sameroom open');
      const code = webCodeIn((await sam.next('message', (m) => m.message.kind === 'system')).message.text);
      await p.connect(code);
      const linked = p.linked ?? ((t: string) => t.includes(`now linked to ${room} (Web)`));
      await waitFor(() => p.answers().some(linked), WAIT_MS, `linked answer in ${p.platform}`);
      const names = (t: string): boolean => (typeof p.notice === 'string' ? t.includes(p.notice) : p.notice.test(t));
      await until('the link notice in the web room', () => sam.shown().some((m) => m.kind === 'system' && names(toPlain(m.text))), WAIT_MS);
      return sam;
    },
  };
}

type Frame<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** The first copy (a message from the other side) the web room shows. */
export function copyOnWeb(sam: Client, what: string): Promise<WireMessage> {
  return until(what, () => sam.shown().find((m) => m.kind === 'copy'), WAIT_MS);
}

/** Sam edits `msg`; resolves when the web room confirmed it. */
export async function editOnWeb(sam: Client, msg: WireMessage, text: string): Promise<void> {
  sam.send({ type: 'edit', id: msg.id, text });
  await sam.next('update', (m) => m.message.id === msg.id);
}

/** Sam deletes `msg`; resolves when the web room confirmed it. */
export async function deleteOnWeb(sam: Client, msg: WireMessage): Promise<void> {
  sam.send({ type: 'delete', id: msg.id });
  await sam.next('delete', (m) => m.id === msg.id);
}

/** The web room's next update of `msg` (an edit that came through the tube). */
export function updateOnWeb(sam: Client, msg: WireMessage): Promise<Frame<'update'>> {
  return sam.next('update', (m) => m.message.id === msg.id, WAIT_MS);
}

/** The web room's next deletion of `msg` (a delete that came through the tube). */
export async function deletionOnWeb(sam: Client, msg: WireMessage): Promise<void> {
  await sam.next('delete', (m) => m.id === msg.id, WAIT_MS);
}

/** Every copy the web room was ever sent, in order (deleted ones too). */
export function copiesSent(sam: Client): WireMessage[] {
  return sam.frames.flatMap((fr) => (fr.type === 'message' && fr.message.kind === 'copy' ? [fr.message] : []));
}
