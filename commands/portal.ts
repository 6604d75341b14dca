import { nanoid } from 'nanoid';
import type { CommandSpec } from './spec.js';

export const portal: CommandSpec = {
  name: 'portal',
  usage: '[reset]',
  help: "this room's web page: who is linked, a guest chat, and a link other rooms can connect with",
  args: [{ name: 'option', kind: 'word', optional: true, oneOf: ['reset'] }],
  async run({ s, roomKey, room, actor, args, word }) {
    const settings = await s.rooms.get(roomKey);
    const reset = args[0]?.toLowerCase() === 'reset';
    let secret = settings.portal;
    let admin = settings.portalAdmin;
    if (reset || !secret || !admin) {
      if (secret) {
        // The old link's guest chat goes with it: unlink it from this room.
        const guest = await s.links.dropPortal(secret);
        for (const t of guest ? await s.tubes.of(roomKey) : []) if (t.a === guest || t.b === guest) await s.tubes.remove(t.id);
      }
      secret = await s.links.newPortal(roomKey);
      admin = nanoid(24);
      await s.rooms.update(roomKey, { portal: secret, portalAdmin: admin });
      await s.audit(room, { type: reset ? 'portal_reset' : 'portal', actor, detail: reset ? 'portal link replaced; the old one no longer works' : 'portal link made' });
    }
    const url = `${s.config.publicUrl}/portal/${secret}`;
    return [
      reset ? 'New portal link (the old one no longer works):' : 'Portal for this room:',
      url,
      `Another room connects with \`-${word} connect ${url}\`.`,
      `Admin link (can close links; keep it in this room): ${url}?admin=${admin}`,
    ].join('\n');
  },
};
