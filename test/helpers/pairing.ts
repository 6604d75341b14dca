/** Pair rooms through the real commands, as people would. */
import type { TestBridge } from './bridge-harness.js';
import type { TestBot } from './test-bot.js';

export function codeIn(text: string): string {
  const m = /connect ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text);
  if (!m?.[1]) throw new Error(`no code in: ${text}`);
  return m[1];
}

/** `-sameroom open` in a, `-sameroom connect` in b; returns b's answer. */
export async function link(tb: TestBridge, a: TestBot, aRoom: string, b: TestBot, bRoom: string): Promise<string> {
  await a.says(aRoom, 'Opener', '-sameroom open');
  const code = codeIn(a.lines(aRoom).at(-1) ?? '');
  await b.says(bRoom, 'Joiner', `-sameroom connect ${code}`);
  await tb.settle();
  return b.lines(bRoom).at(-1) ?? '';
}
