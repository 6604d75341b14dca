// Builds the DOM of messages. User text never becomes HTML: the server sends each message's
// canonical markup already parsed into a tree (src/markup.ts `Node`), and every piece of text
// becomes a text node. Links open only for http(s) and mailto URLs.

/** Create an element with a class and optional text (as a text node). */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** Canonical markup tree → DOM nodes. */
export function renderNodes(nodes, parent) {
  for (const n of Array.isArray(nodes) ? nodes : []) parent.append(renderNode(n));
  return parent;
}

function renderNode(n) {
  switch (n && n.type) {
    case 'text':
      return document.createTextNode(String(n.text));
    case 'code':
      return el('code', '', n.text);
    case 'pre': {
      const pre = el('pre');
      pre.append(el('code', '', n.text));
      return pre;
    }
    case 'bold':
      return renderNodes(n.children, el('strong'));
    case 'italic':
      return renderNodes(n.children, el('em'));
    case 'strike':
      return renderNodes(n.children, el('s'));
    case 'quote':
      return renderNodes(n.children, el('blockquote'));
    case 'link': {
      const url = String(n.url);
      if (!SAFE_LINK.test(url)) return renderNodes(n.children, el('span', 'link-text'));
      const a = el('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      renderNodes(n.children, a);
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

export function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w)[0] || '').join('').toUpperCase() || '?';
}

function initialsCircle(author) {
  const c = el('div', 'avatar initials', initials(author.name));
  c.style.background = author.id === 'sameroom' ? '#1f2328' : colourFor(author.id + author.name);
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
    const img = el('img', 'thumb');
    img.alt = f.name;
    img.src = url;
    a.append(img);
  } else {
    a.append(el('span', 'file-name', f.name), el('span', 'file-size', size(f.size)));
  }
  return a;
}

const time = (ts) => new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * One message. `actions` has onReply / onEdit / onDelete; `mine` says whether this browser
 * may edit and delete it.
 */
export function messageElement(m, mine, actions) {
  const row = el('div', `msg kind-${m.kind}${mine ? ' mine' : ''}`);
  row.dataset.id = m.id;
  row.append(avatar(m.author));
  const main = el('div', 'main');
  const meta = el('div', 'meta');
  meta.append(el('span', 'author', m.author.name));
  if (m.kind === 'system') meta.append(el('span', 'tag', 'bridge'));
  meta.append(el('time', '', time(m.ts)));
  if (m.edited) meta.append(el('span', 'edited', '(edited)'));
  main.append(meta);
  if (m.replyTo) {
    const ref = el('div', 'reply-ref');
    ref.append(el('span', 'reply-author', `↪ ${m.replyTo.authorName}`), document.createTextNode(` ${m.replyTo.excerpt}`));
    ref.addEventListener('click', () => document.querySelector(`.msg[data-id="${window.CSS.escape(m.replyTo.id)}"]`)?.scrollIntoView({ block: 'center' }));
    main.append(ref);
  }
  main.append(renderNodes(m.nodes, el('div', 'body')));
  if (m.files && m.files.length) {
    const files = el('div', 'files');
    for (const f of m.files) files.append(fileElement(f));
    main.append(files);
  }
  const bar = el('div', 'actions');
  const button = (cls, label, fn) => {
    const b = el('button', cls, label);
    b.type = 'button';
    b.addEventListener('click', () => fn(m));
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
