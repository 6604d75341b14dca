// Sameroom web chat: plain JS, no build step. The home page makes rooms; /r/<id> is a room.
// Talks to the server over one WebSocket with the JSON frames of bots/web/protocol.ts.
import { el, messageElement } from './render.js';

const $ = (id) => document.getElementById(id);
const store = {
  get: (k) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set: (k, v) => {
    try {
      localStorage.setItem(k, v);
    } catch {
      // private mode: the name lasts for this page only
    }
  },
};

/** This browser's secret: the server derives our author id from it (only we can edit our messages). */
function browserKey() {
  let key = store.get('sameroom.key');
  if (!key || !/^[A-Za-z0-9_-]{16,128}$/.test(key)) {
    const bytes = window.crypto.getRandomValues(new Uint8Array(24));
    key = Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'[b % 64]).join('');
    store.set('sameroom.key', key);
  }
  return key;
}

const state = { roomId: '', ws: null, you: null, limits: { maxTextLength: 8000, maxFileBytes: 0, maxNameLength: 64 }, editing: null, replying: null, files: [], retry: 0, fatal: false, seq: 0 };

function notice(text, sticky) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
  if (!text || sticky) return;
  setTimeout(() => {
    if (n.textContent === text) n.hidden = true;
  }, 5000);
}

function setStatus(text) {
  $('status').textContent = text;
}

// ---- home -------------------------------------------------------------------------------------

function home() {
  $('home').hidden = false;
  $('create-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('room-name').value.trim();
    if (!name) return;
    const res = await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) return notice(body.error || 'Could not make the room.');
    location.assign(body.path);
  });
  $('open-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const m = /\/r\/([A-Za-z0-9_-]{6,64})/.exec($('room-link').value) || /^([A-Za-z0-9_-]{6,64})$/.exec($('room-link').value.trim());
    if (m) location.assign(`/r/${m[1]}`);
    else notice('That is not a room link: it looks like https://…/r/…');
  });
}

// ---- room -------------------------------------------------------------------------------------

const list = () => $('messages');
const mine = (m) => m.kind === 'user' && state.you && m.author.id === state.you.id;
const actions = {
  onReply: (m) => setContext({ replying: { id: m.id, label: `Replying to ${m.author.name}` } }),
  onEdit: (m) => {
    setContext({ editing: { id: m.id, label: 'Editing your message' } });
    $('text').value = m.text;
    $('text').focus();
  },
  onDelete: (m) => send({ type: 'delete', id: m.id }),
};

function setContext({ replying = null, editing = null }) {
  state.replying = replying;
  state.editing = editing;
  const ctx = replying || editing;
  $('context').hidden = !ctx;
  $('context-text').textContent = ctx ? ctx.label : '';
  if (!editing) $('send').textContent = 'Send';
  else $('send').textContent = 'Save';
  if (ctx) $('text').focus();
}

function show(m) {
  const node = messageElement(m, mine(m), actions);
  const old = list().querySelector(`.msg[data-id="${m.id}"]`);
  if (old) return old.replaceWith(node);
  const box = list();
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.append(node);
  if (atBottom || mine(m)) box.scrollTop = box.scrollHeight;
}

function send(frame) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return notice('Not connected: trying again…');
  state.ws.send(JSON.stringify(frame));
}

function onFrame(f) {
  switch (f.type) {
    case 'welcome':
      state.you = f.you;
      state.limits = f.limits;
      state.retry = 0;
      document.title = `${f.room.name} · Sameroom`;
      $('room-title').textContent = f.room.name;
      $('you').textContent = f.you.name;
      list().replaceChildren();
      for (const m of f.history) show(m);
      list().scrollTop = list().scrollHeight;
      setStatus('');
      return;
    case 'message':
    case 'update':
      return show(f.message);
    case 'delete':
      list().querySelector(`.msg[data-id="${f.id}"]`)?.remove();
      if (state.editing && state.editing.id === f.id) setContext({});
      return;
    case 'error':
      if (f.code === 'no_room') {
        state.fatal = true;
        $('composer').hidden = true;
        return notice('There is no such room: check the link, or make a new room on the home page.', true);
      }
      if (f.code === 'bad_name') {
        state.fatal = true;
        askName(f.message);
      }
      return notice(f.message);
    default:
  }
}

function connect() {
  const name = store.get('sameroom.name');
  if (!name) return askName();
  state.fatal = false;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  state.ws = ws;
  setStatus('connecting…');
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'hello', room: state.roomId, name, key: browserKey() })));
  ws.addEventListener('message', (e) => {
    try {
      onFrame(JSON.parse(e.data));
    } catch (err) {
      console.error('bad frame from server', err);
    }
  });
  ws.addEventListener('close', () => {
    if (state.ws !== ws || state.fatal) return;
    const wait = Math.min(15000, 500 * 2 ** state.retry++);
    setStatus('offline: reconnecting…');
    setTimeout(connect, wait);
  });
}

function askName(why) {
  $('name-panel').hidden = false;
  $('composer').hidden = true;
  $('name-why').textContent = why || 'Pick the name people will see.';
  $('name-input').value = store.get('sameroom.name') || '';
  $('name-input').focus();
}

async function upload(file) {
  if (file.size > state.limits.maxFileBytes) return notice(`${file.name} is too big (limit ${Math.floor(state.limits.maxFileBytes / 1048576)} MB).`);
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetch(`/r/${state.roomId}/files`, { method: 'POST', body: form });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) return notice(body.error || `Could not upload ${file.name}.`);
  state.files.push(body);
  const chip = el('span', 'chip', `Attached: ${body.name}`);
  $('pending-files').append(chip);
}

function submit() {
  const text = $('text').value;
  if (text.length > state.limits.maxTextLength) return notice(`Messages are limited to ${state.limits.maxTextLength} characters.`);
  if (state.editing) {
    if (text.trim()) send({ type: 'edit', id: state.editing.id, text });
  } else {
    if (!text.trim() && state.files.length === 0) return;
    send({
      type: 'post',
      text,
      nonce: `n${++state.seq}`,
      ...(state.replying ? { replyTo: state.replying.id } : {}),
      ...(state.files.length ? { files: state.files.map((f) => f.id) } : {}),
    });
    state.files = [];
    $('pending-files').replaceChildren();
  }
  $('text').value = '';
  setContext({});
}

function room(roomId) {
  state.roomId = roomId;
  $('chat').hidden = false;
  $('share').hidden = false;
  $('share').addEventListener('click', async () => {
    try {
      await window.navigator.clipboard.writeText(location.href);
      notice('Room link copied: anyone with it can join.');
    } catch {
      notice(`Share this link: ${location.href}`, true);
    }
  });
  $('rename').addEventListener('click', () => askName('Your new name:'));
  $('name-panel').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('name-input').value.replace(/\s+/g, ' ').trim();
    if (!name) return;
    store.set('sameroom.name', name);
    $('name-panel').hidden = true;
    $('composer').hidden = false;
    if (state.ws) {
      const old = state.ws;
      state.ws = null;
      old.close();
    }
    connect();
  });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      if (state.editing) $('text').value = '';
      setContext({});
    }
  });
  $('context-cancel').addEventListener('click', () => {
    if (state.editing) $('text').value = '';
    setContext({});
  });
  $('file-input').addEventListener('change', async (e) => {
    for (const f of Array.from(e.target.files || [])) await upload(f);
    e.target.value = '';
  });
  connect();
}

const match = /^\/r\/([A-Za-z0-9_-]{6,64})\/?$/.exec(location.pathname);
if (match) room(match[1]);
else home();
