// The message list of a room: rows in room order, a date line where the day changes, consecutive
// messages of one author grouped, older pages added on top as the reader scrolls up (the view
// holds still), the newest kept in view while the reader is at the bottom (pictures have their
// size reserved; a resize observer catches the rest), a "new messages" pill and an unread count
// in the tab title otherwise. Arrow keys move focus between messages.
import { dayLabel, dayOf, el } from './render.js';

/** Consecutive messages of one author within this long are grouped under one name. */
const GROUP_MS = 5 * 60 * 1000;
/** Within this many pixels of the bottom counts as "at the bottom". */
const NEAR = 80;
/** Ask for the older page when the reader is this close to the top. */
const LOAD_AT = 400;

const isMsg = (n) => n && n.classList && n.classList.contains('msg');

export class Timeline {
  /**
   * `box`: the scrolling element; `askOlder(cursor)`: send for the page before `cursor`;
   * `title()`: the tab title without the unread count.
   */
  constructor(box, pill, { askOlder, title }) {
    this.box = box;
    this.pill = pill;
    this.askOlder = askOlder;
    this.title = title;
    this.rows = el('div', 'rows');
    this.start = el('div', 'start-marker', 'This is the start of the room.');
    this.start.hidden = true;
    this.loading = el('div', 'loading-older', 'Loading older messages…');
    this.loading.hidden = true;
    /** our posts not confirmed yet (outbox), always below the room's messages */
    this.pending = el('div', 'pending-rows');
    box.replaceChildren(this.start, this.loading, this.rows, this.pending);
    this.stuck = true;
    this.unread = 0;
    this.more = false;
    this.cursor = undefined;
    this.waiting = false;
    box.addEventListener('scroll', () => this.onScroll(), { passive: true });
    box.addEventListener('keydown', (e) => this.onKey(e));
    pill.addEventListener('click', () => this.toBottom());
    const keep = new window.ResizeObserver(() => {
      if (this.stuck) this.box.scrollTop = this.box.scrollHeight;
    });
    keep.observe(this.rows);
    keep.observe(this.pending);
    document.addEventListener('visibilitychange', () => this.onScroll());
  }

  /** Start over with the newest page (a welcome). */
  reset(rows, more, cursor) {
    this.rows.replaceChildren();
    for (const r of rows) this.rows.append(r);
    for (const r of rows) this.decorate(r);
    this.ensureTabStop();
    this.setMore(more, cursor);
    this.unread = 0;
    this.toBottom();
    this.fill();
  }

  setMore(more, cursor) {
    this.more = more && cursor !== undefined;
    this.cursor = cursor;
    this.start.hidden = this.more;
    this.loading.hidden = !this.more;
  }

  /** An older page: rows oldest first, added on top without moving what the reader sees. */
  prepend(rows, more, cursor) {
    this.waiting = false;
    // A page that does not go further back ends the paging rather than asking forever.
    if (cursor !== undefined && this.cursor !== undefined && cursor >= this.cursor) more = false;
    const fresh = rows.filter((r) => !this.find(r.dataset.id));
    const fromBottom = this.box.scrollHeight - this.box.scrollTop;
    const first = this.first();
    const frag = document.createDocumentFragment();
    for (const r of fresh) frag.append(r);
    this.rows.prepend(frag);
    for (const r of fresh) this.decorate(r);
    if (first) this.decorate(first);
    this.setMore(more, cursor);
    if (!this.stuck) this.box.scrollTop = this.box.scrollHeight - fromBottom;
    this.fill();
  }

  /** The older page could not come now: let the next scroll ask again. */
  olderFailed() {
    this.waiting = false;
  }

  /** A new message at the bottom; `own`: ours, so the view follows it. */
  append(row, own = false) {
    this.rows.append(row);
    this.decorate(row);
    this.ensureTabStop();
    if (own || this.stuck) this.toBottom();
    else this.bump();
  }

  /** Redraw our unconfirmed posts below the messages. */
  setPending(rows) {
    const follow = this.stuck || rows.length > this.pending.childElementCount;
    this.pending.replaceChildren(...rows);
    if (follow) this.toBottom();
  }

  /** Put a changed row in place of the old one. */
  replace(old, row) {
    const wasFocused = old.contains(document.activeElement);
    old.replaceWith(row);
    this.decorate(row);
    if (wasFocused) row.focus();
  }

  remove(row) {
    const next = this.nextMsg(row);
    const prev = row.previousElementSibling;
    row.remove();
    if (prev && !isMsg(prev) && (!prev.nextElementSibling || !isMsg(prev.nextElementSibling))) prev.remove();
    if (next) this.decorate(next);
  }

  find(id) {
    const row = id ? document.getElementById(`m-${id}`) : null;
    return row && row.parentNode === this.rows ? row : null;
  }

  first() {
    return this.rows.querySelector('.msg');
  }

  prevMsg(row) {
    let n = row.previousElementSibling;
    while (n && !isMsg(n)) n = n.previousElementSibling;
    return n;
  }

  nextMsg(row) {
    let n = row.nextElementSibling;
    while (n && !isMsg(n)) n = n.nextElementSibling;
    return n;
  }

  /** The date line before a row where the day changes, and grouping with the row above. */
  decorate(row) {
    const prev = this.prevMsg(row);
    const ts = Number(row.dataset.ts);
    const sep = row.previousElementSibling && !isMsg(row.previousElementSibling) ? row.previousElementSibling : null;
    const newDay = !prev || dayOf(Number(prev.dataset.ts)) !== dayOf(ts);
    if (newDay && !sep) {
      const line = el('div', 'day', dayLabel(ts));
      line.setAttribute('role', 'separator');
      row.before(line);
    } else if (newDay && sep) sep.textContent = dayLabel(ts);
    else if (!newDay && sep) sep.remove();
    const grouped = !newDay && prev && prev.dataset.author === row.dataset.author && !row.querySelector(':scope > .main > .reply-ref') && ts - Number(prev.dataset.ts) < GROUP_MS;
    row.classList.toggle('grouped', Boolean(grouped));
  }

  atBottom() {
    return this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < NEAR;
  }

  toBottom() {
    this.box.scrollTop = this.box.scrollHeight;
    this.stuck = true;
    this.clearUnread();
  }

  bump() {
    this.unread++;
    this.pill.hidden = false;
    this.pill.textContent = `${this.unread} new message${this.unread === 1 ? '' : 's'} ↓`;
    document.title = `(${this.unread}) ${this.title()}`;
  }

  clearUnread() {
    if (document.hidden) return;
    this.unread = 0;
    this.pill.hidden = true;
    document.title = this.title();
  }

  /** A message arrived while the tab is hidden: counted in the title even at the bottom. */
  noteHidden() {
    if (!document.hidden) return;
    this.unread++;
    document.title = `(${this.unread}) ${this.title()}`;
  }

  onScroll() {
    this.stuck = this.atBottom();
    if (this.stuck) this.clearUnread();
    this.fill();
  }

  /** Ask for the older page when the top is near (or the list does not fill the box). */
  fill() {
    if (!this.more || this.waiting || this.box.scrollTop > LOAD_AT) return;
    this.waiting = true;
    this.askOlder(this.cursor);
  }

  onKey(e) {
    const row = e.target;
    if (!isMsg(row) || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown' && e.key !== 'Home' && e.key !== 'End')) return;
    e.preventDefault();
    const rows = this.rows.querySelectorAll('.msg');
    let to;
    if (e.key === 'ArrowUp') to = this.prevMsg(row);
    else if (e.key === 'ArrowDown') to = this.nextMsg(row);
    else if (e.key === 'Home') to = rows[0];
    else to = rows[rows.length - 1];
    if (to) this.focusRow(to);
  }

  /** Move the list's one tab stop to `row` and focus it. */
  focusRow(row) {
    for (const r of this.rows.querySelectorAll('.msg[tabindex="0"]')) r.tabIndex = -1;
    row.tabIndex = 0;
    row.focus();
    row.scrollIntoView({ block: 'nearest' });
  }

  /** Keep one message reachable with Tab: the newest, unless the reader is in the list now. */
  ensureTabStop() {
    const cur = this.rows.querySelector('.msg[tabindex="0"]');
    if (cur && this.rows.contains(document.activeElement)) return;
    const last = this.rows.lastElementChild;
    if (!isMsg(last) || last === cur) return;
    if (cur) cur.tabIndex = -1;
    last.tabIndex = 0;
  }
}
