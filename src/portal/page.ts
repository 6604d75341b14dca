/** The portal page of one room, rendered on the server (no script). */
import { platformName } from '../platform.js';
import type { RoomKey } from '../model.js';
import type { SecEntry } from '../seclog.js';
import type { GuestChat } from './guest.js';
import { badge, esc } from './html.js';
import type { SameRoomGraph } from './map.js';

export interface PortalLink {
  readonly id: string;
  readonly other: { readonly name: string; readonly platform: string };
  readonly createdAt: number;
}

export interface PortalView {
  readonly secret: string;
  readonly room: RoomKey;
  readonly title: { readonly name: string; readonly platform: string };
  readonly graph: SameRoomGraph;
  readonly svg: string;
  /** the portal URL, as `connect` takes it */
  readonly portalUrl: string;
  readonly word: string;
  /** unavailable: no web platform in this bridge */
  readonly guest: GuestChat | { readonly state: 'unavailable' };
  /** present with a valid admin token: this room's links, closable */
  readonly admin?: { readonly token: string; readonly links: readonly PortalLink[] };
  /** newest last */
  readonly log: readonly SecEntry[];
}

const when = (ts: number): string => new Date(ts).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function sameRoom(v: PortalView): string {
  const items = v.graph.nodes.map(
    (n) => `<li${n.key === v.room ? ' class="here"' : ''}>${badge(n.platform)}${esc(n.name)}${n.key === v.room ? ' <span class="muted">(this room)</span>' : ''}${n.direction !== 'both' ? ` <span class="muted">— ${n.direction === 'in' ? 'receives only' : 'sends only'}</span>` : ''}</li>`,
  );
  const lead = v.graph.nodes.length > 1 ? 'A message posted in any of these rooms reaches all the others:' : 'This room is not linked to any other yet.';
  return `<section id="same-room"><h2>Same room</h2><p>${lead}</p><ul class="rooms">${items.join('')}</ul>${v.graph.nodes.length > 1 ? `<div class="map">${v.svg}</div>` : ''}</section>`;
}

function join(v: PortalView): string {
  const head = '<section id="join"><h2>Join the conversation</h2>';
  switch (v.guest.state) {
    case 'unavailable':
      return `${head}<p class="muted">Guest chat is not available on this bridge.</p></section>`;
    case 'closed':
      return `${head}<p class="muted">The people in this room closed the guest chat. Ask them for a new portal link.</p></section>`;
    default:
      return `${head}<p>Chat with ${esc(v.title.name)} from your browser, no account needed: your messages appear in the room and their answers appear in your chat.</p>
<form method="post" action="/portal/${esc(v.secret)}/join"><button type="submit" id="join-button">Join the chat</button></form></section>`;
  }
}

function connect(v: PortalView): string {
  return `<section id="connect"><h2>Connect another room</h2>
<p>To link another room (on Slack, Discord, Telegram, Teams, the web, …) to this same room, type this line in that room, where the Sameroom bot is:</p>
<p><code id="connect-line">-${esc(v.word)} connect ${esc(v.portalUrl)}</code></p></section>`;
}

function links(v: PortalView): string {
  if (!v.admin) return '';
  const { token } = v.admin;
  const rows = v.admin.links.map(
    (l) => `<li>${badge(l.other.platform)}${esc(l.other.name)} <span class="muted">linked ${esc(when(l.createdAt))}</span>
<form method="post" action="/portal/${esc(v.secret)}/close" style="display:inline;margin-left:8px"><input type="hidden" name="admin" value="${esc(token)}"><input type="hidden" name="tube" value="${esc(l.id)}"><button class="danger" type="submit">Close</button></form></li>`,
  );
  const body = rows.length ? `<ul class="rooms">${rows.join('')}</ul>` : '<p class="muted">This room has no links.</p>';
  return `<section id="links"><h2>Links of this room (admin)</h2><p class="muted">You opened the admin link: you can close this room's links. Keep the link within the room.</p>${body}</section>`;
}

function log(v: PortalView): string {
  const scope = v.admin ? `the ${esc(platformName(v.title.platform))} workspace of this room` : 'this room';
  const items = [...v.log]
    .reverse()
    .map((e) => `<li><span class="muted">${esc(when(e.ts))}</span> <strong>${esc(e.type)}</strong> by ${esc(e.actor)}${e.detail ? `: ${esc(e.detail)}` : ''}${v.admin && e.room !== v.room ? ` <span class="muted">(${esc(e.room)})</span>` : ''}</li>`);
  return `<section id="log"><h2>Security log</h2><p class="muted">Recent events of ${scope}, newest first.</p>${items.length ? `<ul class="log">${items.join('')}</ul>` : '<p class="muted">Nothing yet.</p>'}</section>`;
}

export function portalPage(v: PortalView): string {
  return [
    `<h1>${badge(v.title.platform)}${esc(v.title.name)}</h1><p class="muted">Portal of this room on Sameroom.</p>`,
    join(v),
    sameRoom(v),
    connect(v),
    links(v),
    log(v),
  ].join('\n');
}
