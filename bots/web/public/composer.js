// The message box: typing, replies and edits (ArrowUp in an empty box edits your last message),
// attachments (uploads that fail say why), and our posts waiting in the outbox, drawn as rows
// that say "sending" or "not sent" with Retry and Discard.
import { avatar, el } from './render.js';

const $ = (id) => document.getElementById(id);

export class Composer {
  /**
   * `app`: { state, outbox, timeline, notice, sendNow(frame) → bool, lastOwn() → message|null }.
   */
  constructor(app) {
    this.app = app;
    this.replying = null;
    this.editing = null;
    this.files = [];
    this.uploading = 0;
    const text = $('text');
    text.placeholder = window.matchMedia('(pointer: fine)').matches ? 'Message (Enter sends, Shift+Enter for a new line)' : 'Message';
    $('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    text.addEventListener('keydown', (e) => this.onKey(e));
    $('context-cancel').addEventListener('click', () => this.cancel());
    $('attach').addEventListener('click', () => $('file-input').click());
    $('file-input').addEventListener('change', async (e) => {
      const picked = Array.from(e.target.files || []);
      e.target.value = '';
      for (const f of picked) await this.upload(f);
    });
  }

  onKey(e) {
    const text = $('text');
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && window.matchMedia('(pointer: fine)').matches) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Escape' && (this.editing || this.replying)) {
      e.preventDefault();
      this.cancel();
    } else if (e.key === 'ArrowUp' && !text.value && !this.editing) {
      const m = this.app.lastOwn();
      if (!m) return;
      e.preventDefault();
      this.edit(m);
    }
  }

  reply(m) {
    this.setContext({ replying: { id: m.id, label: `Replying to ${m.author.name}` } });
  }

  edit(m) {
    this.setContext({ editing: { id: m.id, label: 'Editing your message (Escape cancels)' } });
    $('text').value = m.text;
  }

  cancel() {
    if (this.editing) $('text').value = '';
    this.setContext({});
  }

  setContext({ replying = null, editing = null }) {
    this.replying = replying;
    this.editing = editing;
    const ctx = replying || editing;
    $('context').hidden = !ctx;
    $('context-text').textContent = ctx ? ctx.label : '';
    $('send').textContent = editing ? 'Save' : 'Send';
    $('text').focus();
  }

  /** The message being edited is gone. */
  dropped(id) {
    if (this.editing && this.editing.id === id) this.cancel();
    if (this.replying && this.replying.id === id) this.setContext({});
  }

  submit() {
    const box = $('text');
    const text = box.value;
    const { state, notice } = this.app;
    if (text.length > state.limits.maxTextLength) return notice(`Messages are limited to ${state.limits.maxTextLength} characters.`);
    if (this.uploading) return notice('Wait for the upload to finish, then send.');
    if (this.editing) {
      if (!text.trim()) return notice('An edit cannot be empty: delete the message instead.');
      if (!this.app.sendNow({ type: 'edit', id: this.editing.id, text })) return notice('Offline: your edit stays in the box; save it again when the connection is back.');
    } else {
      if (!text.trim() && this.files.length === 0) return;
      this.app.outbox.add({
        text,
        files: this.files.map((f) => ({ id: f.id, name: f.name })),
        ...(this.replying ? { replyTo: this.replying.id, replyLabel: this.replying.label } : {}),
      });
      this.files = [];
      $('pending-files').replaceChildren();
    }
    box.value = '';
    this.setContext({});
  }

  async upload(file) {
    const { state, notice } = this.app;
    if (file.size > state.limits.maxFileBytes) return notice(`${file.name} is too big (limit ${Math.floor(state.limits.maxFileBytes / 1048576)} MB).`);
    const chip = el('span', 'chip', `Uploading ${file.name}…`);
    $('pending-files').append(chip);
    this.uploading++;
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const res = await fetch(`/r/${state.roomId}/files`, { method: 'POST', body: form });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
      this.files.push(body);
      chip.textContent = `Attached: ${body.name}`;
      const remove = el('button', 'chip-remove', '×');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Remove ${body.name}`);
      remove.addEventListener('click', () => {
        this.files = this.files.filter((f) => f !== body);
        chip.remove();
        $('text').focus();
      });
      chip.append(remove);
    } catch (err) {
      chip.remove();
      const why = window.navigator.onLine === false || err instanceof TypeError ? 'you seem to be offline' : err.message;
      notice(`Could not upload ${file.name}: ${why}. Try again.`, true);
    } finally {
      this.uploading--;
    }
  }

  /** Rows for our posts in the outbox. */
  pendingRows(items, connected) {
    const you = this.app.state.you || { id: '', name: 'You' };
    return items.map((item) => {
      const row = el('div', `msg kind-user mine pending${item.state === 'failed' ? ' failed' : ''}`);
      row.dataset.cid = item.cid;
      row.append(avatar(you));
      const main = el('div', 'main');
      const meta = el('div', 'meta');
      meta.append(el('span', 'author', you.name));
      const waiting = connected ? 'Sending…' : 'Waiting for the connection…';
      meta.append(el('span', 'status', item.state === 'failed' ? `Not sent: ${item.error || 'refused'}` : waiting));
      main.append(meta);
      if (item.replyLabel) main.append(el('div', 'reply-ref', item.replyLabel));
      main.append(el('div', 'body', item.text));
      if (item.files.length) main.append(el('div', 'files', item.files.map((f) => f.name).join(', ')));
      if (item.state === 'failed') {
        const bar = el('div', 'actions shown');
        const button = (label, fn) => {
          const b = el('button', '', label);
          b.type = 'button';
          b.addEventListener('click', fn);
          bar.append(b);
        };
        button('Retry', () => this.app.outbox.retry(item.cid));
        button('Discard', () => this.app.outbox.discard(item.cid));
        main.append(bar);
      }
      row.append(main);
      return row;
    });
  }
}
