/**
 * Portal and map pages on the one HTTP server:
 *
 *   GET  /portal/<secret>[?admin=<token>]   the room's page: its name and guest chat; with the admin
 *                                            token also its same room, map, connect link, links and
 *                                            its tenant's security log
 *   POST /portal/<secret>/join               make/open the guest web chat → 303 to it
 *   POST /portal/<secret>/close              admin, tube → close that link (403 on a wrong token)
 *   POST /portal/<secret>/connect-link       admin → replace the connect link (the old one stops working)
 *   GET  /connect/<token>                    how to use a connect link (names no room)
 *   GET  /map/<token>                        picture of the same room (404 once expired)
 *
 * Secrets come from `-sameroom portal` (commands/portal.ts) and `-sameroom map` (commands/map.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseRoomKey, type RoomKey } from '../model.js';
import type { Services } from '../services.js';
import { ADMIN_ACTOR, closeFromPortal, connectUrl, replaceConnectLink, sameToken } from './admin.js';
import { guestChat, openGuestChat, type WebRoomMaker } from './guest.js';
import { esc, notFound, plainRoomName, sendPage, badge } from './html.js';
import { mapSvg, sameRoomGraph } from './map.js';
import { portalPage, type PortalAdminView } from './page.js';

export { isWebRoomMaker, type WebRoomMaker } from './guest.js';

const SECRET = /^[A-Za-z0-9_-]{16,64}$/;

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

export function mountPortal(http: FastifyInstance, s: Services, web: WebRoomMaker | undefined): void {
  const portalRoom = async (secret: string): Promise<RoomKey | null> => {
    if (!SECRET.test(secret)) return null;
    const room = await s.links.portalRoom(secret);
    if (!room) return null;
    // A reset replaces the secret in the room's settings; an old key left behind does not count.
    return (await s.rooms.get(room)).portal === secret ? room : null;
  };
  const gone = 'This portal link does not work (any more): it may have been replaced with `portal reset`.';

  void http.register(async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
    });

    app.get<{ Params: { secret: string }; Querystring: { admin?: string } }>('/portal/:secret', async (req, reply) => {
      const room = await portalRoom(req.params.secret);
      if (!room) return notFound(reply, gone);
      const settings = await s.rooms.get(room);
      const wantsAdmin = req.query.admin !== undefined;
      if (wantsAdmin && !sameToken(req.query.admin, settings.portalAdmin)) {
        return sendPage(reply, 403, 'Forbidden', '<h1>Forbidden</h1><p>This admin link is not valid for this room (it may have been replaced with <code>portal reset</code>).</p>');
      }
      const title = await plainRoomName(s, room);
      let admin: PortalAdminView | undefined;
      if (wantsAdmin && req.query.admin) {
        const [graph, tubes, log] = await Promise.all([sameRoomGraph(s, room), s.tubes.of(room), s.seclog.recent(s.tenant(parseRoomKey(room)), 50)]);
        const links = await Promise.all(tubes.map(async (t) => ({ id: t.id, other: await plainRoomName(s, t.a === room ? t.b : t.a), createdAt: t.createdAt })));
        const token = settings.portalConnect ?? (await replaceConnectLink(s, room));
        admin = { token: req.query.admin, links, graph, svg: mapSvg(graph), connectUrl: connectUrl(s, token), log };
      }
      const html = portalPage({
        secret: req.params.secret,
        room,
        title,
        word: s.config.commandWord,
        guest: web ? await guestChat(s, web, req.params.secret, room) : { state: 'unavailable' },
        ...(admin ? { admin } : {}),
      });
      return sendPage(reply, 200, `${title.name}: portal`, html);
    });

    app.post<{ Params: { secret: string } }>('/portal/:secret/join', async (req, reply) => {
      const room = await portalRoom(req.params.secret);
      if (!room) return notFound(reply, gone);
      if (!web) return sendPage(reply, 503, 'Unavailable', '<h1>Guest chat is not available</h1><p>This bridge runs without its web platform.</p>');
      const title = await plainRoomName(s, room);
      const path = await openGuestChat(s, web, req.params.secret, room, title.name);
      if (!path) return sendPage(reply, 410, 'Guest chat closed', '<h1>Guest chat closed</h1><p>The people in this room closed the guest chat. Ask them for a new portal link.</p>');
      return reply.code(303).header('location', path).send();
    });

    /**
     * An admin's form post: the room when the portal and its admin token are valid, else the
     * answer already sent (404, 403). `back` is where the admin page is after the change.
     */
    const adminPost = async (
      secret: string,
      body: unknown,
      reply: FastifyReply,
      needs: string,
    ): Promise<{ room: RoomKey; back: string } | FastifyReply> => {
      const room = await portalRoom(secret);
      if (!room) return notFound(reply, gone);
      const token = field(body, 'admin');
      if (!sameToken(token, (await s.rooms.get(room)).portalAdmin)) {
        return sendPage(reply, 403, 'Forbidden', `<h1>Forbidden</h1><p>${esc(needs)} needs this room’s admin link.</p>`);
      }
      return { room, back: `/portal/${encodeURIComponent(secret)}?admin=${encodeURIComponent(token ?? '')}` };
    };

    app.post<{ Params: { secret: string } }>('/portal/:secret/close', async (req, reply) => {
      const ok = await adminPost(req.params.secret, req.body, reply, 'Closing links');
      if (!('room' in ok)) return ok;
      const tube = (await s.tubes.of(ok.room)).find((t) => t.id === field(req.body, 'tube'));
      if (!tube) return notFound(reply, 'This room has no such link (it may be closed already).');
      await closeFromPortal(s, ok.room, tube);
      return reply.code(303).header('location', ok.back).send();
    });

    app.post<{ Params: { secret: string } }>('/portal/:secret/connect-link', async (req, reply) => {
      const ok = await adminPost(req.params.secret, req.body, reply, 'Replacing the connect link');
      if (!('room' in ok)) return ok;
      await replaceConnectLink(s, ok.room);
      await s.audit(parseRoomKey(ok.room), { type: 'portal', actor: ADMIN_ACTOR, detail: 'connect link replaced; the old one no longer works' });
      return reply.code(303).header('location', `${ok.back}#connect`).send();
    });

    app.get<{ Params: { token: string } }>('/connect/:token', async (req, reply) => {
      const room = SECRET.test(req.params.token) ? await s.links.connectRoom(req.params.token) : null;
      if (!room) return notFound(reply, 'This connect link does not work (any more): it may have been replaced.');
      const line = `-${s.config.commandWord} connect ${s.config.publicUrl}/connect/${req.params.token}`;
      return sendPage(reply, 200, 'Connect a room', `<h1>Connect a room</h1><p>This is a Sameroom connect link. To link one of your rooms, type this line in that room, where the Sameroom bot is:</p><p><code>${esc(line)}</code></p>`);
    });

    app.get<{ Params: { token: string } }>('/map/:token', async (req, reply) => {
      const room = SECRET.test(req.params.token) ? await s.links.mapRoom(req.params.token) : null;
      if (!room) return notFound(reply, 'This map link does not work (any more): map links last 24 hours. Ask the bot for a new one with the map command.');
      const graph = await sameRoomGraph(s, room);
      const focus = graph.nodes[0];
      const head = focus ? `<h1>${badge(focus.platform)}${esc(focus.name)}: same room map</h1>` : '<h1>Same room map</h1>';
      const body = `${head}<p class="muted">${graph.nodes.length} rooms, ${graph.edges.length === 1 ? '1 link' : `${graph.edges.length} links`}. Arrows show which way messages flow.</p><section class="map">${mapSvg(graph)}</section>`;
      return sendPage(reply, 200, 'Same room map', body);
    });
  });
}
