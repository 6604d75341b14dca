/**
 * In-process publish/subscribe: the embedded store's channels (one process owns an embedded
 * store, so its subscribers are all here). Delivery is asynchronous like Redis's, so a listener
 * never runs inside the publisher's call, and in publish order.
 */

/** One subscription; `live` turns false on unsubscribe or close. */
interface Listener {
  readonly onMessage: (message: string) => void;
  live: boolean;
}

export class Fanout {
  private readonly channels = new Map<string, Set<Listener>>();

  /** Those subscribed now hear it, unless they leave before it arrives. */
  publish(channel: string, message: string): void {
    for (const l of this.channels.get(channel) ?? []) {
      queueMicrotask(() => {
        if (!l.live) return;
        try {
          l.onMessage(message);
        } catch {
          // A listener's own failure must not stop the others (the Store contract says: do not throw).
        }
      });
    }
  }

  subscribe(channel: string, onMessage: (message: string) => void): () => Promise<void> {
    const l: Listener = { onMessage, live: true };
    const set = this.channels.get(channel) ?? new Set<Listener>();
    set.add(l);
    this.channels.set(channel, set);
    return async () => {
      l.live = false;
      set.delete(l);
      if (set.size === 0 && this.channels.get(channel) === set) this.channels.delete(channel);
    };
  }

  /** Every subscription ends, messages on their way included. */
  close(): void {
    for (const set of this.channels.values()) for (const l of set) l.live = false;
    this.channels.clear();
  }
}
