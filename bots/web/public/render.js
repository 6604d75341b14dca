// Builds the DOM of messages. User text never becomes HTML: the server sends each message's
// canonical markup already parsed into a tree (src/markup.ts `Node`), and every piece of text
// becomes a text node. Links open only for http(s) and mailto URLs; bare ones in text are linked
// too. Connect lines, codes and URLs in code in the bridge's answers get a copy button.

/** Create an element with a class and optional text (as a text node). */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;
/** A bare http(s) or mailto URL in text; trailing punctuation is the sentence's, not the link's. */
const BARE_LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;

function link(url, text) {
  const a = el('a', '', text);
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
  return a;
}

/** Plain text → text nodes and links for the bare URLs in it. */
export function autolink(text) {
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const m of String(text).matchAll(BARE_LINK)) {
    let url = m[0].replace(/[.,;:!?'*_~]+$/, '');
    if (url.endsWith(')') && !url.includes('(')) url = url.slice(0, -1);
    if (!/^(https?:\/\/[^/\s]|mailto:[^\s@]+@)/i.test(url)) continue;
    frag.append(document.createTextNode(text.slice(at, m.index)), link(url, url));
    at = m.index + url.length;
  }
  frag.append(document.createTextNode(text.slice(at)));
  return frag;
}

/** What in the bridge's answers is worth a copy button: a connect line, a code, a URL. */
const COPYABLE = /\bconnect\s+\S|^[A-Z0-9]{4}(-[A-Z0-9]{4}){2}$|:\/\//;

/** A small button that copies `text`, saying so for a moment. */
export function copyButton(text, label = 'Copy') {
  const b = el('button', 'copy', label);
  b.type = 'button';
  b.setAttribute('aria-label', `${label}: ${text}`);
  b.addEventListener('click', async () => {
    try {
      await window.navigator.clipboard.writeText(text);
      b.textContent = 'Copied';
    } catch {
      b.textContent = 'Select and copy';
    }
    setTimeout(() => {
      b.textContent = label;
    }, 2000);
  });
  return b;
}

/**
 * Canonical markup tree → DOM nodes. `opts.copy`: inline code gets a copy button; `opts.inLink`:
 * inside a link (no links or buttons nested in it).
 */
export function renderNodes(nodes, parent, opts = {}) {
  for (const n of Array.isArray(nodes) ? nodes : []) parent.append(renderNode(n, opts));
  return parent;
}

function renderNode(n, opts) {
  switch (n && n.type) {
    case 'text':
      return opts.inLink ? document.createTextNode(String(n.text)) : autolink(String(n.text));
    case 'code': {
      const code = el('code', '', n.text);
      if (!opts.copy || opts.inLink || !COPYABLE.test(String(n.text))) return code;
      const frag = document.createDocumentFragment();
      frag.append(code, copyButton(String(n.text)));
      return frag;
    }
    case 'pre': {
      const pre = el('pre');
      pre.append(el('code', '', n.text));
      return pre;
    }
    case 'bold':
      return renderNodes(n.children, el('strong'), opts);
    case 'italic':
      return renderNodes(n.children, el('em'), opts);
    case 'strike':
      return renderNodes(n.children, el('s'), opts);
    case 'quote':
      return renderNodes(n.children, el('blockquote'), opts);
    case 'link': {
      const url = String(n.url);
      if (!SAFE_LINK.test(url)) return renderNodes(n.children, el('span', 'link-text'), { inLink: true });
      const a = renderNodes(n.children, link(url), { inLink: true });
      if (!a.textContent) a.textContent = url;
      return a;
    }
    default:
      return document.createTextNode('');
  }
}

const PALETTE = ['#0f766e', '#7c3aed', '#b45309', '#be123c', '#1d4ed8', '#15803d', '#a21caf', '#0369a1'];

export function colourFor(text) {
  let h = 0;
  for (const c of String(text)) h = (h * 31 + c.codePointAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** Up to two letters for an avatar: first and last word, punctuation left out ("Robert (Bob)" → "RB"). */
export function initials(name) {
  const words = String(name)
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w)[0] || '').join('').toUpperCase() || '?';
}

function initialsCircle(author) {
  const c = el('div', `avatar initials${author.id === 'sameroom' ? ' bridge' : ''}`, initials(author.name));
  if (author.id !== 'sameroom') c.style.background = colourFor(author.id + author.name);
  return c;
}

export function avatar(author) {
  if (author.avatarUrl && /^https?:\/\//i.test(author.avatarUrl)) {
    const img = el('img', 'avatar');
    img.alt = '';
    img.referrerPolicy = 'no-referrer';
    img.src = author.avatarUrl;
    img.addEventListener('error', () => img.replaceWith(initialsCircle(author)), { once: true });
    return img;
  }
  return initialsCircle(author);
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function fileElement(f) {
  const url = String(f.url);
  if (!url.startsWith('/files/')) return el('span', 'file', f.name);
  const a = el('a', 'file');
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  if (/^image\//.test(f.mime) && f.mime !== 'image/svg+xml') {
    // The size is reserved before the picture loads, so the list does not move under the reader.
    const img = el('img', 'thumb');
    img.alt = f.name;
    img.width = 240;
    img.height = 180;
    img.decoding = 'async';
    img.src = url;
    a.append(img);
  } else {
    a.append(el('span', 'file-name', f.name), el('span', 'file-size', size(f.size)));
  }
  return a;
}

// Made once: building a formatter per message is most of the cost of drawing a long history.
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const FULL = new Intl.DateTimeFormat([], { dateStyle: 'full', timeStyle: 'short' });
const DAY = new Intl.DateTimeFormat([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
const time = (ts) => TIME.format(ts);

/** The day a message belongs to (local time), for separators and grouping. */
export const dayOf = (ts) => new Date(ts).toDateString();

/** "Today", "Yesterday" or the date. */
export function dayLabel(ts, now = Date.now()) {
  const day = dayOf(ts);
  if (day === dayOf(now)) return 'Today';
  if (day === dayOf(now - 86400000)) return 'Yesterday';
  return DAY.format(ts);
}

/**
 * One message. `actions` has onReply / onEdit / onDelete / onJump; `mine` says whether this
 * browser may edit and delete it. The row is focusable (the list moves focus with the arrow keys)
 * and its buttons show while it has focus, on hover, and always on touch screens.
 */
export function messageElement(m, mine, actions) {
  const row = el('div', `msg kind-${m.kind}${mine ? ' mine' : ''}`);
  row.dataset.id = m.id;
  row.id = `m-${m.id}`;
  row.dataset.author = `${m.kind}:${m.author.id}`;
  row.dataset.ts = String(m.ts);
  row.tabIndex = -1;
  row.setAttribute('role', 'article');
  row.setAttribute('aria-label', `${m.author.name}, ${time(m.ts)}`);
  row.append(avatar(m.author));
  const main = el('div', 'main');
  const meta = el('div', 'meta');
  meta.append(el('span', 'author', m.author.name));
  if (m.kind === 'system') meta.append(el('span', 'tag', 'bridge'));
  const t = el('time', '', time(m.ts));
  t.dateTime = new Date(m.ts).toISOString();
  t.title = FULL.format(m.ts);
  meta.append(t);
  if (m.edited) meta.append(el('span', 'edited', '(edited)'));
  main.append(meta);
  if (m.replyTo) {
    const ref = el('button', 'reply-ref');
    ref.type = 'button';
    ref.append(el('span', 'reply-author', `↪ ${m.replyTo.authorName}`), document.createTextNode(` ${m.replyTo.excerpt}`));
    ref.addEventListener('click', () => actions.onJump(m.replyTo.id));
    main.append(ref);
  }
  main.append(renderNodes(m.nodes, el('div', 'body'), { copy: m.kind === 'system' }));
  if (m.files && m.files.length) {
    const files = el('div', 'files');
    for (const f of m.files) files.append(fileElement(f));
    main.append(files);
  }
  const bar = el('div', 'actions');
  const button = (cls, label, fn) => {
    const b = el('button', cls, label);
    b.type = 'button';
    b.setAttribute('aria-label', `${label}: message from ${m.author.name} at ${time(m.ts)}`);
    b.addEventListener('click', () => fn(m, row));
    bar.append(b);
  };
  button('reply', 'Reply', actions.onReply);
  if (mine) {
    button('edit', 'Edit', actions.onEdit);
    button('delete', 'Delete', actions.onDelete);
  }
  main.append(bar);
  row.append(main);
  return row;
}
