/**
 * The hostile-load rig: a real bridge (web platform + a test platform) on loopback, one web room
 * linked to a test room, and a normal user in the web room whose messages must keep flowing
 * both ways while an attack runs. Peak RSS per attack is measured by the bench (bench/abuse.ts),
 * not asserted here.
 */
import { TestBot } from '../helpers/test-bot.js';
import { Client, codeIn, createRoom, startWeb, until, type WebKit } from '../web/helpers.js';
import type { WebConfig } from '../../bots/web/config.js';

export { nonReader, pool } from './clients.js';

export interface AbuseRig {
  readonly kit: WebKit;
  readonly url: string;
  readonly roomId: string;
  readonly alpha: TestBot;
  readonly sam: Client;
  /** Sam posts in the web room and it reaches the test room; a test-room post reaches Sam. */
  relays(tag: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startAbuseRig(env: Record<string, string> = {}, web: Partial<WebConfig> = {}): Promise<AbuseRig> {
  const alpha = new TestBot('alpha');
  const kit = await startWeb({ bots: [alpha], env: { PUBLIC_URL: 'https://chat.example.test', ...env }, web });
  const url = kit.tb.url;
  const roomId = await createRoom(url, 'Front desk');
  const sam = await Client.open(url);
  await sam.join(roomId, 'Sam');
  await sam.post('-sameroom open');
  const code = codeIn((await sam.next('message', (f) => f.message.kind === 'system')).message.text);
  await alpha.says('general', 'Ann', `-sameroom connect ${code}`);
  await kit.tb.settle();
  let seq = 0;
  const relays = async (tag: string): Promise<void> => {
    const n = ++seq;
    await sam.post(`sam ${tag} ${n}`);
    await until(`sam's message ${n} in the test room`, () => alpha.lines('general').some((l) => l.includes(`sam ${tag} ${n}`)), 15_000);
    await alpha.says('general', 'Ann', `ann ${tag} ${n}`);
    await sam.next('message', (f) => f.message.text.includes(`ann ${tag} ${n}`), 15_000);
  };
  return {
    kit,
    url,
    roomId,
    alpha,
    sam,
    relays,
    stop: async () => {
      await sam.close();
      await kit.stop();
    },
  };
}
