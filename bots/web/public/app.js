// Sameroom web chat: plain JS, no build step. The home page makes rooms; /r/<id> is a room.
// Talks to the server over one WebSocket with the JSON frames of bots/web/protocol.ts. Posts go
// through the outbox (outbox.js), the list is timeline.js, the message box composer.js.
import { Composer } from './composer.js';
import { Outbox } from './outbox.js';
import { el, messageElement } from './render.js';
import { Timeline } from './timeline.js';

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

function notice(text, sticky) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
  if (!text || sticky) return;
  setTimeout(() => {
    if (n.textContent === text) n.hidden = true;
  }, 5000);
}

// ---- home -------------------------------------------------------------------------------------

function home() {
  $('home').hidden = false;
  $('create-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('room-name').value.trim();
    if (!name) return;
    let res;
    try {
      res = await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    } catch {
      return notice('Could not reach the server: check your connection and try again.');
    }
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

/** Undo is offered this long before a delete goes out. */
const UNDO_MS = 6000;

const state = { roomId: '', roomName: '', ws: null, joined: false, you: null, limits: { maxTextLength: 8000, maxFileBytes: 0, maxNameLength: 64 }, retry: 0, fatal: false };
/** Messages shown, by id (for edits: ArrowUp, Edit). */
const messages = new Map();
let timeline;
let outbox;
let composer;

const mine = (m) => m.kind === 'user' && state.you && m.author.id === state.you.id;
const roomTitle = () => (state.roomName ? `${state.roomName} · Sameroom` : 'Sameroom');

function sendNow(frame) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN || !state.joined) return false;
  state.ws.send(JSON.stringify(frame));
  return true;
}

function setOnline(online) {
  const banner = $('offline');
  banner.hidden = online;
  banner.textContent = online ? '' : 'You are offline. Messages you send are kept here and go out when the connection is back.';
  $('status').textContent = online ? '' : 'offline';
  if (outbox) drawPending();
}

function drawPending() {
  timeline.setPending(composer.pendingRows(outbox.items, state.joined));
}

const actions = {
  onReply: (m) => composer.reply(m),
  onEdit: (m) => composer.edit(m),
  onJump: (id) => {
    const row = timeline.find(id);
    if (row) timeline.focusRow(row);
    else notice('That message is further back: scroll up to load it.');
  },
  onDelete: (m, row) => {
    if (!state.joined) return notice('Offline: you can delete when the connection is back.');
    row.hidden = true;
    const undo = el('div', 'undo', 'Message deleted. ');
    undo.setAttribute('role', 'status');
    const b = el('button', 'link', 'Undo');
    b.type = 'button';
    undo.append(b);
    row.before(undo);
    b.focus();
    const timer = setTimeout(() => {
      undo.remove();
      if (!sendNow({ type: 'delete', id: m.id })) {
        row.hidden = false;
        notice('Offline: the message was not deleted.');
      }
    }, UNDO_MS);
    b.addEventListener('click', () => {
      window.clearTimeout(timer);
      undo.remove();
      row.hidden = false;
      timeline.focusRow(row);
    });
  },
};

function rowFor(m) {
  messages.set(m.id, m);
  return messageElement(m, mine(m), actions);
}

function onFrame(f) {
  switch (f.type) {
    case 'welcome':
      state.you = f.you;
      state.limits = f.limits;
      state.retry = 0;
      state.joined = true;
      state.roomName = f.room.name;
      document.title = roomTitle();
      $('room-title').textContent = f.room.name;
      $('you').textContent = f.you.name;
      messages.clear();
      timeline.reset(f.history.map(rowFor), f.more, f.cursor);
      setOnline(true);
      outbox.pump();
      return;
    case 'history':
      return timeline.prepend(f.messages.map(rowFor), f.more, f.cursor);
    case 'message': {
      if (f.nonce) outbox.confirmed(f.nonce);
      const old = timeline.find(f.message.id);
      if (old) return timeline.replace(old, rowFor(f.message));
      timeline.append(rowFor(f.message), Boolean(f.nonce));
      if (!f.nonce) timeline.noteHidden();
      return;
    }
    case 'update': {
      const old = timeline.find(f.message.id);
      if (old) timeline.replace(old, rowFor(f.message));
      return;
    }
    case 'delete': {
      const row = timeline.find(f.id);
      if (row) timeline.remove(row);
      messages.delete(f.id);
      composer.dropped(f.id);
      return;
    }
    case 'error':
      return onError(f);
    default:
  }
}

function onError(f) {
  if (f.code === 'no_room') {
    state.fatal = true;
    $('composer').hidden = true;
    return notice('There is no such room: check the link, or make a new room on the home page.', true);
  }
  if (f.code === 'bad_name') {
    state.fatal = true;
    askName(f.message);
    return notice(f.message);
  }
  if (f.code === 'busy' && timeline.waiting) {
    timeline.olderFailed();
    setTimeout(() => timeline.fill(), 1000);
  }
  const ours = f.nonce || outbox.inflight;
  outbox.error(f.code, f.message, f.nonce);
  if (!ours || !['rate_limited', 'busy'].includes(f.code)) notice(f.message);
}

function connect() {
  const name = store.get('sameroom.name');
  if (!name) return askName();
  state.fatal = false;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  state.ws = ws;
  $('status').textContent = 'connecting…';
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'hello', room: state.roomId, name, key: browserKey() })));
  ws.addEventListener('message', (e) => {
    try {
      onFrame(JSON.parse(e.data));
    } catch (err) {
      console.error('bad frame from server', err);
    }
  });
  ws.addEventListener('close', () => {
    if (state.ws !== ws) return;
    state.joined = false;
    outbox.disconnected();
    if (timeline.waiting) timeline.olderFailed();
    if (state.fatal) return;
    setOnline(false);
    const wait = Math.min(15000, 500 * 2 ** state.retry++);
    setTimeout(connect, wait);
  });
}

function askName(why) {
  $('name-panel').hidden = false;
  $('composer').hidden = true;
  const where = state.roomName ? `Join “${state.roomName}”: ` : '';
  $('name-why').textContent = why || `${where}pick the name people will see.`;
  $('name-input').value = store.get('sameroom.name') || '';
  $('name-input').focus();
}

async function fetchRoomName() {
  try {
    const res = await fetch(`/api/rooms/${state.roomId}`);
    if (res.ok) state.roomName = String((await res.json()).name || '');
  } catch {
    // offline: the prompt goes without the room's name
  }
  if (state.roomName && !$('room-title').textContent) $('room-title').textContent = state.roomName;
}

async function room(roomId) {
  state.roomId = roomId;
  $('chat').hidden = false;
  $('room-title').hidden = false;
  $('share').hidden = false;
  timeline = new Timeline($('messages'), $('new-pill'), { askOlder: (before) => sendNow({ type: 'older', before }) || timeline.olderFailed(), title: roomTitle });
  outbox = new Outbox(roomId, { send: sendNow, changed: () => drawPending() });
  composer = new Composer({ state, outbox, timeline, notice, sendNow, lastOwn: () => [...messages.values()].filter(mine).at(-1) || null });
  drawPending();
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
    $('text').focus();
    if (state.ws) {
      const old = state.ws;
      state.ws = null;
      state.joined = false;
      old.close();
    }
    connect();
  });
  window.addEventListener('online', () => {
    if (!state.joined && state.ws && state.ws.readyState !== WebSocket.OPEN) state.retry = 0;
  });
  if (!store.get('sameroom.name')) await fetchRoomName();
  connect();
}

const match = /^\/r\/([A-Za-z0-9_-]{6,64})\/?$/.exec(location.pathname);
if (match) room(match[1]);
else home();
