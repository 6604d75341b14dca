import { nanoid } from 'nanoid';
import { canSayPrivately } from '../src/bot.js';
import { connectUrl, replaceConnectLink } from '../src/portal/admin.js';
import { requireAdmin } from './permissions.js';
import type { CommandContext, CommandSpec } from './spec.js';

/** Replace the portal's links (and end its guest chat); the old ones stop working. */
async function makePortal(ctx: CommandContext, reset: boolean, old: string | undefined): Promise<void> {
  const { s, roomKey, room, actor } = ctx;
  if (old) {
    // The old link's guest chat goes with it: unlink it from this room.
    const guest = await s.links.dropPortal(old);
    for (const t of guest ? await s.tubes.of(roomKey) : []) if (t.a === guest || t.b === guest) await s.tubes.remove(t.id);
  }
  const secret = await s.links.newPortal(roomKey);
  await s.rooms.update(roomKey, { portal: secret, portalAdmin: nanoid(24) });
  await replaceConnectLink(s, roomKey);
  await s.audit(room, { type: reset ? 'portal_reset' : 'portal', actor, detail: reset ? 'portal links replaced; the old ones no longer work' : 'portal link made' });
}

/**
 * The admin link goes to the admin who asked and nobody else: privately where the bot can,
 * otherwise not at all (the answer says how to get it).
 */
async function giveAdminLink(ctx: CommandContext, url: string, admin: string, connect: string): Promise<string> {
  const { bot, room, author, word } = ctx;
  const text = [
    `Admin link of the portal of this room (keep it to yourself): ${url}?admin=${admin}`,
    'It shows the same room, its map and security log, closes links, and gives the connect link:',
    `\`-${word} connect ${connect}\``,
  ].join('\n');
  if (canSayPrivately(bot) && (await bot.sayPrivately(room, author.id, text))) return `I sent you its admin link ${bot.privately}.`;
  return `I cannot send you the admin link privately here: open a direct chat with me (so I can write to you), then ask again with \`-${word} portal\`.`;
}

export const portal: CommandSpec = {
  name: 'portal',
  usage: '[reset]',
  help: "this room's web page (its name and a guest chat); admins also get its admin link, privately",
  args: [{ name: 'option', kind: 'word', optional: true, oneOf: ['reset'] }],
  async run(ctx) {
    const { s, roomKey, values, word } = ctx;
    const reset = values.text('option') === 'reset';
    if (reset) {
      const refused = await requireAdmin(ctx, `reset the portal (\`-${word} portal reset\`)`, 'portal reset');
      if (refused) return refused;
    }
    let settings = await s.rooms.get(roomKey);
    if (reset || !settings.portal || !settings.portalAdmin || !settings.portalConnect) {
      await makePortal(ctx, reset, settings.portal);
      settings = await s.rooms.get(roomKey);
    }
    const url = `${s.config.publicUrl}/portal/${settings.portal ?? ''}`;
    const lines = [reset ? 'New portal link (the old links no longer work):' : 'Portal of this room (its name and a guest chat):', url];
    // Members get the public page; the admin link only reaches an admin, privately.
    const notAdmin = await requireAdmin(ctx, 'get the admin link of the portal', 'portal admin link', { revealsLog: true });
    lines.push(notAdmin ?? (await giveAdminLink(ctx, url, settings.portalAdmin ?? '', connectUrl(s, settings.portalConnect ?? ''))));
    return lines.join('\n');
  },
};
