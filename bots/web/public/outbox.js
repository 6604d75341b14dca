// Posts not yet confirmed by the server, kept in the browser (localStorage) per room so a reload
// or a dropped connection loses nothing. They go out one at a time, in order, each with the
// browser's random id for it (`cid`): the server stores a post once however often it arrives,
// so sending again after a silence, a reconnect or a restart is always safe.

/** No answer within this long: send it again. */
const RESEND_MS = 8000;
/** After "slow down" or "busy": wait this long before the next try. */
const BACKOFF_MS = 1500;
/** Errors that mean "try again later", not "this post is wrong". */
const TRANSIENT = new Set(['rate_limited', 'busy', 'unavailable']);

function randomId() {
  const bytes = window.crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'[b % 64]).join('');
}

export class Outbox {
  /**
   * `send(frame)`: true when it went on an open, joined connection; `changed(items)`: redraw.
   * Items: { cid, text, replyTo?, replyLabel?, files: [{id, name}], ts, state: 'sending' | 'failed', error? }.
   */
  constructor(roomId, { send, changed }) {
    this.key = `sameroom.outbox.${roomId}`;
    this.sendFrame = send;
    this.changed = changed;
    this.items = this.load();
    this.inflight = null;
    this.timer = null;
  }

  load() {
    try {
      const raw = JSON.parse(localStorage.getItem(this.key) || '[]');
      return Array.isArray(raw) ? raw.filter((i) => i && typeof i.cid === 'string' && typeof i.text === 'string' && Array.isArray(i.files)) : [];
    } catch {
      return [];
    }
  }

  save() {
    try {
      if (this.items.length) localStorage.setItem(this.key, JSON.stringify(this.items));
      else localStorage.removeItem(this.key);
    } catch {
      // private mode or full: the outbox lasts for this page only
    }
    this.changed(this.items);
  }

  /** Queue a new post and try to send it. */
  add(post) {
    const item = { cid: randomId(), text: post.text, files: post.files || [], ts: Date.now(), state: 'sending' };
    if (post.replyTo) Object.assign(item, { replyTo: post.replyTo, replyLabel: post.replyLabel });
    this.items.push(item);
    this.save();
    this.pump();
    return item;
  }

  /** The server has it (its copy came back with our cid). */
  confirmed(cid) {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.cid !== cid);
    if (this.inflight === cid) this.next();
    if (this.items.length !== before) this.save();
  }

  /** An error frame: about one of ours (`nonce`), or a general "slow down" while one is out. */
  error(code, message, nonce) {
    const item = this.items.find((i) => i.cid === (nonce || this.inflight));
    if (!item || (!nonce && !TRANSIENT.has(code))) return;
    if (code === 'no_message') return this.confirmed(item.cid);
    if (TRANSIENT.has(code)) {
      this.hold(BACKOFF_MS);
      return;
    }
    item.state = 'failed';
    item.error = message;
    this.save();
    this.next();
  }

  retry(cid) {
    const item = this.items.find((i) => i.cid === cid);
    if (!item) return;
    item.state = 'sending';
    delete item.error;
    this.save();
    this.pump();
  }

  discard(cid) {
    this.confirmed(cid);
  }

  /** The connection went away: whatever was out is sent again after the next welcome. */
  disconnected() {
    window.clearTimeout(this.timer);
    this.timer = null;
    this.inflight = null;
  }

  next() {
    window.clearTimeout(this.timer);
    this.timer = null;
    this.inflight = null;
    this.pump();
  }

  hold(ms) {
    window.clearTimeout(this.timer);
    this.inflight = null;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, ms);
  }

  /** Send the oldest waiting post, unless one is out already. */
  pump() {
    if (this.inflight || this.timer) return;
    const item = this.items.find((i) => i.state === 'sending');
    if (!item) return;
    const frame = { type: 'post', text: item.text, cid: item.cid };
    if (item.replyTo) frame.replyTo = item.replyTo;
    if (item.files.length) frame.files = item.files.map((f) => f.id);
    if (!this.sendFrame(frame)) return;
    this.inflight = item.cid;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inflight = null;
      this.pump();
    }, RESEND_MS);
  }
}
