/**
 * The portal page of one room, rendered on the server (no script). The public page shows the
 * room's name and its guest chat, nothing else; the same room, the map, the connect link, the
 * links and the tenant's security log sit behind the admin token.
 */
import type { RoomKey } from '../model.js';
import { formatEntry, type SecEntry } from '../seclog.js';
import type { GuestChat } from './guest.js';
import { badge, esc } from './html.js';
import type { SameRoomGraph } from './map.js';

export interface PortalLink {
  readonly id: string;
  readonly other: { readonly name: string; readonly platform: string };
  readonly createdAt: number;
}

/** What only the admin link shows. */
export interface PortalAdminView {
  readonly token: string;
  readonly links: readonly PortalLink[];
  readonly graph: SameRoomGraph;
  readonly svg: string;
  /** the revocable link another room connects with */
  readonly connectUrl: string;
  /** the security log of the room's tenant, newest last */
  readonly log: readonly SecEntry[];
}

export interface PortalView {
  readonly secret: string;
  readonly room: RoomKey;
  readonly title: { readonly name: string; readonly platform: string };
  readonly word: string;
  /** unavailable: no web platform in this bridge */
  readonly guest: GuestChat | { readonly state: 'unavailable' };
  readonly admin?: PortalAdminView;
}

const when = (ts: number): string => new Date(ts).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function sameRoom(v: PortalView, a: PortalAdminView): string {
  const items = a.graph.nodes.map(
    (n) => `<li${n.key === v.room ? ' class="here"' : ''}>${badge(n.platform)}${esc(n.name)}${n.key === v.room ? ' <span class="muted">(this room)</span>' : ''}${n.direction !== 'both' ? ` <span class="muted">— ${n.direction === 'in' ? 'receives only' : 'sends only'}</span>` : ''}</li>`,
  );
  const lead = a.graph.nodes.length > 1 ? 'A message posted in any of these rooms reaches all the others:' : 'This room is not linked to any other yet.';
  return `<section id="same-room"><h2>Same room</h2><p>${lead}</p><ul class="rooms">${items.join('')}</ul>${a.graph.nodes.length > 1 ? `<div class="map">${a.svg}</div>` : ''}</section>`;
}

function join(v: PortalView): string {
  const head = '<section id="join"><h2>Join the conversation</h2>';
  switch (v.guest.state) {
    case 'unavailable':
      return `${head}<p class="muted">Guest chat is not available on this bridge.</p></section>`;
    case 'closed':
      return `${head}<p class="muted">The guest chat of this room is closed. Ask the room for a new portal link.</p></section>`;
    default:
      return `${head}<p>Chat with ${esc(v.title.name)} from your browser, no account needed: your messages appear in the room and their answers appear in your chat.</p>
<form method="post" action="/portal/${esc(v.secret)}/join"><button type="submit" id="join-button">Join the chat</button></form></section>`;
  }
}

function connect(v: PortalView, a: PortalAdminView): string {
  return `<section id="connect"><h2>Connect another room</h2>
<p>To link another room (on Slack, Discord, Telegram, Teams, the web, …) to this same room, type this line in that room, where the Sameroom bot is. Give it only to people you want linked: it works until you replace it.</p>
<p><code id="connect-line">-${esc(v.word)} connect ${esc(a.connectUrl)}</code></p>
<form method="post" action="/portal/${esc(v.secret)}/connect-link"><input type="hidden" name="admin" value="${esc(a.token)}"><button class="danger" type="submit">Replace this connect link</button></form></section>`;
}

function links(v: PortalView, a: PortalAdminView): string {
  const rows = a.links.map(
    (l) => `<li>${badge(l.other.platform)}${esc(l.other.name)} <span class="muted">linked ${esc(when(l.createdAt))}</span>
<form method="post" action="/portal/${esc(v.secret)}/close" style="display:inline;margin-left:8px"><input type="hidden" name="admin" value="${esc(a.token)}"><input type="hidden" name="tube" value="${esc(l.id)}"><button class="danger" type="submit">Close</button></form></li>`,
  );
  const body = rows.length ? `<ul class="rooms">${rows.join('')}</ul>` : '<p class="muted">This room has no links.</p>';
  return `<section id="links"><h2>Links of this room (admin)</h2><p class="muted">You opened the admin link: you can close this room's links. Keep the link to yourself.</p>${body}</section>`;
}

function log(a: PortalAdminView): string {
  const items = [...a.log].reverse().map((e) => `<li>${esc(formatEntry(e))}</li>`);
  return `<section id="log"><h2>Security log</h2><p class="muted">Recent events of this room's tenant (its workspace, or the room itself), newest first.</p>${items.length ? `<ul class="log">${items.join('')}</ul>` : '<p class="muted">Nothing yet.</p>'}</section>`;
}

export function portalPage(v: PortalView): string {
  const a = v.admin;
  return [
    `<h1>${badge(v.title.platform)}${esc(v.title.name)}</h1><p class="muted">Portal of this room on Sameroom.</p>`,
    join(v),
    ...(a ? [sameRoom(v, a), connect(v, a), links(v, a), log(a)] : []),
  ].join('\n');
}
