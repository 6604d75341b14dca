/**
 * Server-rendered pages of the portal and map: every piece of text goes through `esc`, pages
 * carry no script at all, and the CSP says so.
 */
import type { FastifyReply } from 'fastify';
import { platformName } from '../platform.js';
import { toPlain } from '../markup.js';
import { parseRoomKey, type RoomKey } from '../model.js';
import type { Services } from '../services.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML and XML (text and attribute values). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1f2328}
main{max-width:880px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px}
section{background:#fff;border:1px solid #d9dde3;border-radius:10px;padding:14px 18px;margin-top:16px}
code{background:#eef1f4;border-radius:4px;padding:2px 5px;word-break:break-all}
.badge{display:inline-block;color:#fff;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;margin-right:6px}
ul.rooms,ul.log{list-style:none;padding:0;margin:0}ul.rooms li,ul.log li{padding:5px 0;border-bottom:1px solid #eef0f3}
ul.log li{font-size:13px}.muted{color:#656d76}.here{font-weight:600}
button{font:inherit;padding:7px 14px;border-radius:8px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}
button.danger{background:#fff;color:#cf222e;border-color:#cf222e;padding:3px 10px}
svg{max-width:100%;height:auto}.map{text-align:center}
`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page(title, body));
}

export function notFound(reply: FastifyReply, what: string): FastifyReply {
  return sendPage(reply, 404, 'Not found', `<h1>Not found</h1><p>${esc(what)}</p><p class="muted">Ask in the room for a fresh link.</p>`);
}

const COLOURS: Readonly<Record<string, string>> = {
  web: '#0f766e', discord: '#5865f2', telegram: '#229ed9', slack: '#4a154b', groupme: '#00a3e0', teams: '#6264a7',
  irc: '#57606a', xmpp: '#d9730d', matrix: '#0b8a63', mattermost: '#1e325c', rocketchat: '#e0303e',
};

/** A platform's colour on the map and badges (a stable made-up one for platforms not listed). */
export function platformColour(platform: string): string {
  const known = COLOURS[platform];
  if (known) return known;
  let h = 0;
  for (const c of platform) h = (h * 31 + (c.codePointAt(0) ?? 0)) % 360;
  return `hsl(${h},55%,40%)`;
}

export function badge(platform: string): string {
  return `<span class="badge" style="background:${esc(platformColour(platform))}">${esc(platformName(platform))}</span>`;
}

/** A room's human name without the platform suffix, as plain text. */
export async function plainRoomName(s: Services, room: RoomKey): Promise<{ name: string; platform: string }> {
  const platform = parseRoomKey(room).platform;
  const full = toPlain(await s.roomName(room));
  const suffix = ` (${platformName(platform)})`;
  return { platform, name: full.endsWith(suffix) ? full.slice(0, -suffix.length) : full };
}
