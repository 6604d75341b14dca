/** A command's answer that the platform refuses is retried; the command is never run twice. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteMessageId } from '../../src/model.js';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { codeIn } from '../helpers/pairing.js';
import { TestBot } from '../helpers/test-bot.js';

describe('command answers', () => {
  let tb: TestBridge | undefined;
  afterEach(async () => {
    await tb?.stop();
    tb = undefined;
  });

  for (const store of ['embedded', 'redis'] as const) {
    it(`a 429 on the answer to open retries the answer and issues one code (${store} store)`, async () => {
      const a = new TestBot('alpha');
      const b = new TestBot('beta');
      tb = await startTestBridge({ store, bots: [a, b] });
      a.sayFailures = [{ retryAfterMs: 20 }];
      const id = await a.says('x', 'Ann', '-sameroom open', { eventId: 'ev-open' });
      // The platform saw a failure-free event: it has no reason to redeliver. If it does anyway
      // (a webhook timeout), the command is not run again.
      await a.ingest({ kind: 'post', room: a.ref('x'), eventId: 'ev-open', id, author: { id: 'ann', name: 'Ann' }, text: '-sameroom open' });
      await tb.settle();
      const answers = a.lines('x').filter((l) => l.startsWith('bridge-bot:'));
      expect(answers).toHaveLength(1);
      const code = codeIn(answers[0] ?? '');
      // The refused answer and its retry carry the same code, replying to the command.
      expect(a.sayLog.map((s) => [codeIn(s.text), s.refused, s.replyTo])).toEqual([
        [code, true, id],
        [code, false, id],
      ]);
      const log = await tb.bridge.seclog.recent(tb.bridge.tenant(a.ref('x')));
      expect(log.filter((e) => e.type === 'open')).toHaveLength(1);
      // And the one code works.
      await b.says('y', 'Bob', `-sameroom connect ${code}`);
      expect(b.lines('y').at(-1)).toMatch(/now linked/);
    });

    it(`a redelivery after the command ran, its answer not yet queued, queues the answer and does not run it again (${store} store)`, async () => {
      const a = new TestBot('alpha');
      tb = await startTestBridge({ store, bots: [a] });
      // The process "dies" right after the command ran: queueing its answer fails.
      const queue = tb.bridge.queue;
      const enqueue = queue.enqueue.bind(queue);
      let failures = 1;
      queue.enqueue = async (jobs) => {
        if (failures-- > 0) throw new Error('queue unreachable');
        return enqueue(jobs);
      };
      await expect(a.says('x', 'Ann', '-sameroom open', { eventId: 'ev-open' })).rejects.toThrow(/queue unreachable/);
      await tb.settle();
      expect(a.sayLog).toHaveLength(0);
      const room = a.ref('x');
      // The platform redelivers the event (twice, for good measure).
      for (let i = 0; i < 2; i++) {
        await a.ingest({ kind: 'post', room, eventId: 'ev-open', id: 'm-open' as RemoteMessageId, author: { id: 'ann', name: 'Ann' }, text: '-sameroom open' });
      }
      await tb.settle();
      expect(a.sayLog).toHaveLength(1);
      expect(codeIn(a.sayLog[0]?.text ?? '')).toBeTruthy();
      const log = await tb.bridge.seclog.recent(tb.bridge.tenant(room));
      expect(log.filter((e) => e.type === 'open')).toHaveLength(1);
    });

    it(`a redelivery while the command runs does not run it a second time (${store} store)`, async () => {
      const a = new TestBot('alpha');
      tb = await startTestBridge({ store, bots: [a] });
      const room = a.ref('x');
      const ev = { kind: 'post', room, eventId: 'ev-open', id: 'm-open' as RemoteMessageId, author: { id: 'ann', name: 'Ann' }, text: '-sameroom open' } as const;
      await Promise.all([a.ingest(ev), a.ingest(ev), a.ingest(ev)]);
      await tb.settle();
      expect(a.sayLog).toHaveLength(1);
      const log = await tb.bridge.seclog.recent(tb.bridge.tenant(room));
      expect(log.filter((e) => e.type === 'open')).toHaveLength(1);
    });
  }
});
