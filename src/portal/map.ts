/**
 * The map of a same room: every room a node (coloured and labelled by platform), every tube an
 * edge, arrows where messages flow (from each room's `direction` setting). Plain SVG made on the
 * server, with no script and no external asset.
 */
import { platformName } from '../platform.js';
import type { RoomKey } from '../model.js';
import type { Direction } from '../rooms.js';
import type { Services } from '../services.js';
import { esc, plainRoomName, platformColour } from './html.js';

export interface MapNode {
  readonly key: RoomKey;
  readonly platform: string;
  readonly name: string;
  readonly direction: Direction;
}

export interface MapEdge {
  readonly id: string;
  readonly a: RoomKey;
  readonly b: RoomKey;
  /** paused (`-sameroom pause`): drawn, but nothing crosses it */
  readonly paused: boolean;
}

export interface SameRoomGraph {
  /** the room the map was asked for (first node) */
  readonly focus: RoomKey;
  readonly nodes: readonly MapNode[];
  readonly edges: readonly MapEdge[];
}

export async function sameRoomGraph(s: Services, room: RoomKey): Promise<SameRoomGraph> {
  const { rooms, tubes } = await s.tubes.edges(room);
  const nodes = await Promise.all(
    rooms.map(async (key): Promise<MapNode> => {
      const [{ name, platform }, settings] = await Promise.all([plainRoomName(s, key), s.rooms.get(key)]);
      return { key, platform, name, direction: settings.direction };
    }),
  );
  return { focus: room, nodes, edges: tubes.map((t) => ({ id: t.id, a: t.a, b: t.b, paused: t.paused })) };
}

/** Messages go from `from` to `to` unless `from` only receives or `to` only sends. */
export function flows(from: Direction, to: Direction): boolean {
  return from !== 'in' && to !== 'out';
}

const R = 30;
/** room for labels left/right and above/below the ring */
const MARGIN_X = 190;
const MARGIN_Y = 80;
const CHAR_W = 7;

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

const round = (n: number): number => Math.round(n * 10) / 10;

interface Placed {
  readonly x: number;
  readonly y: number;
  /** unit vector from the ring's centre: labels go outside, where no edge runs */
  readonly ox: number;
  readonly oy: number;
  readonly node: MapNode;
}

/** Legend items laid out left to right, wrapping at the width. */
function legendRows(items: ReadonlyArray<{ svg: string; width: number }>, width: number, top: number): { svg: string; bottom: number } {
  let x = 20;
  let y = top;
  const out: string[] = [];
  for (const item of items) {
    if (x > 20 && x + item.width > width - 20) {
      x = 20;
      y += 22;
    }
    out.push(`<g transform="translate(${x},${y})">${item.svg}</g>`);
    x += item.width + 24;
  }
  return { svg: out.join(''), bottom: y + 22 };
}

/** A node's name (and direction note) just outside the ring, anchored away from it. */
function label(x: number, y: number, ox: number, oy: number, name: string, note: string): string {
  const anchor = ox > 0.3 ? 'start' : ox < -0.3 ? 'end' : 'middle';
  const lx = round(x + ox * (R + 10));
  const above = anchor === 'middle' && oy < 0;
  const ly = anchor === 'middle' ? round(above ? y - R - (note ? 26 : 10) : y + R + 18) : round(y + oy * (R + 10) + 4);
  const lines = [`<text x="${lx}" y="${ly}" text-anchor="${anchor}" class="name">${name}</text>`];
  if (note) lines.push(`<text x="${lx}" y="${ly + 15}" text-anchor="${anchor}" class="dir">${note}</text>`);
  return lines.join('');
}

export function mapSvg(g: SameRoomGraph): string {
  const n = g.nodes.length;
  const ring = n <= 1 ? 0 : Math.max(120, (n * (2 * R + 60)) / (2 * Math.PI));
  const width = Math.max(560, Math.round(2 * ring + 2 * MARGIN_X));
  const cx = width / 2;
  const cy = MARGIN_Y + ring;
  const pos = new Map<RoomKey, Placed>();
  g.nodes.forEach((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, n);
    const [ox, oy] = n <= 1 ? [0, 1] : [Math.cos(angle), Math.sin(angle)];
    pos.set(node.key, { x: round(cx + ring * ox), y: round(cy + ring * oy), ox, oy, node });
  });

  const edges = g.edges.map((e) => {
    const a = pos.get(e.a);
    const b = pos.get(e.b);
    if (!a || !b) return '';
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    const ab = !e.paused && flows(a.node.direction, b.node.direction);
    const ba = !e.paused && flows(b.node.direction, a.node.direction);
    const flow = ab && ba ? 'both' : ab ? 'a-b' : ba ? 'b-a' : 'none';
    const attrs = [
      `x1="${round(a.x + ux * (R + 4))}" y1="${round(a.y + uy * (R + 4))}" x2="${round(b.x - ux * (R + 4))}" y2="${round(b.y - uy * (R + 4))}"`,
      ab ? 'marker-end="url(#arrow)"' : '',
      ba ? 'marker-start="url(#arrow)"' : '',
      flow === 'none' ? 'stroke-dasharray="6 5"' : '',
    ].filter(Boolean);
    const title = `${a.node.name} ↔ ${b.node.name}${e.paused ? ' (paused)' : ''}`;
    const line = `<line class="edge${e.paused ? ' paused' : ''}" data-tube="${esc(e.id)}" data-flow="${flow}"${e.paused ? ' data-paused="true"' : ''} ${attrs.join(' ')}><title>${esc(title)}</title></line>`;
    if (!e.paused) return line;
    const mx = round((a.x + b.x) / 2);
    const my = round((a.y + b.y) / 2);
    return `${line}<text x="${mx}" y="${my - 6}" text-anchor="middle" class="dir">paused</text>`;
  });

  // Nodes are labelled by position: a room's key (a web room's only secret) never reaches a page.
  const nodes = [...pos.values()].map(({ x, y, ox, oy, node }, i) => {
    const colour = platformColour(node.platform);
    const focus = node.key === g.focus;
    const dir = node.direction === 'both' ? 'sends and receives' : node.direction === 'in' ? 'only receives' : 'only sends';
    return [
      `<g class="node${focus ? ' focus' : ''}" data-room="r${i + 1}" data-platform="${esc(node.platform)}">`,
      `<title>${esc(`${node.name} (${platformName(node.platform)}): ${dir}`)}</title>`,
      `<circle cx="${x}" cy="${y}" r="${R}" fill="${esc(colour)}" stroke="${focus ? '#111' : '#fff'}" stroke-width="${focus ? 4 : 2}"/>`,
      `<text x="${x}" y="${y + 4}" text-anchor="middle" class="platform">${esc(clip(platformName(node.platform), 10))}</text>`,
      label(x, y, ox, oy, esc(clip(node.name, 26)), node.direction === 'both' ? '' : node.direction === 'in' ? 'receives only' : 'sends only'),
      '</g>',
    ].join('');
  });

  const legendItems = [
    ...[...new Set(g.nodes.map((x) => x.platform))].map((p) => ({
      svg: `<rect width="12" height="12" rx="3" fill="${esc(platformColour(p))}"/><text x="18" y="11">${esc(platformName(p))}</text>`,
      width: 18 + CHAR_W * platformName(p).length,
    })),
    { svg: '<line x1="0" y1="6" x2="34" y2="6" stroke="#57606a" stroke-width="2" marker-end="url(#arrow)"/><text x="42" y="11">messages flow</text>', width: 42 + CHAR_W * 13 },
    { svg: '<line x1="0" y1="6" x2="34" y2="6" stroke="#57606a" stroke-width="2" stroke-dasharray="6 5"/><text x="42" y="11">no flow</text>', width: 42 + CHAR_W * 7 },
  ];
  const legend = legendRows(legendItems, width, Math.round(cy + ring + R + 60));
  const height = legend.bottom + 10;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(`Map of a same room: ${n} rooms, ${g.edges.length} links`)}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>',
    '<style>text{font:12px system-ui,sans-serif;fill:#1f2328}.platform{fill:#fff;font-weight:700;font-size:10px}.dir{fill:#656d76;font-size:11px}line.edge{stroke:#57606a;stroke-width:2}line.paused{stroke:#bf8700}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<g class="edges">${edges.join('')}</g>`,
    `<g class="nodes">${nodes.join('')}</g>`,
    `<g class="legend">${legend.svg}</g>`,
    '</svg>',
  ].join('\n');
}
