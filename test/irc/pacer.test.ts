import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../bots/irc/pacer.js';

describe('Pacer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a burst through, then one job per interval, in order', async () => {
    const pacer = new Pacer({ burst: 2, intervalMs: 1000 });
    const ran: Array<[number, number]> = [];
    const start = Date.now();
    const all = pacer.runAll([1, 2, 3, 4, 5].map((n) => () => ran.push([n, Date.now() - start])));
    expect(ran).toEqual([
      [1, 0],
      [2, 0],
    ]);
    await vi.advanceTimersByTimeAsync(999);
    expect(ran).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(2000);
    await all;
    expect(ran).toEqual([
      [1, 0],
      [2, 0],
      [3, 1000],
      [4, 2000],
      [5, 3000],
    ]);
  });

  it('refills after a quiet period', async () => {
    const pacer = new Pacer({ burst: 3, intervalMs: 100 });
    await pacer.runAll([() => 1, () => 2, () => 3]);
    await vi.advanceTimersByTimeAsync(300);
    const ran: number[] = [];
    void pacer.runAll([1, 2, 3, 4].map((n) => () => ran.push(n)));
    expect(ran).toEqual([1, 2, 3]);
    expect(pacer.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(ran).toEqual([1, 2, 3, 4]);
  });

  it('rejects waiting jobs on cancel and surfaces a job error', async () => {
    const pacer = new Pacer({ burst: 1, intervalMs: 1000 });
    const first = pacer.run(() => {
      throw new Error('boom');
    });
    const second = pacer.run(() => 'never');
    await expect(first).rejects.toThrow('boom');
    pacer.cancel(new Error('disconnected'));
    await expect(second).rejects.toThrow('disconnected');
    expect(pacer.pending).toBe(0);
  });
});
