/**
 * Who may run which command. Commands that change a room or reveal its log declare
 * `requires: ['admin']`; the runner asks the room's bot (`AdminAware`, looked up by each bot in
 * bots/<platform>/admins.ts) and refuses others with a line that says who may, and a
 * security-log entry. `COMMAND_PERMISSIONS` tightens (`strict`: refused where the platform
 * cannot tell) or loosens (`members`: everyone) this. Portal guests may talk, and run only
 * `help` and `ping`, whatever the setting.
 */
import { knowsAdmins, type Bot } from '../src/bot.js';
import { platformName } from '../src/platform.js';
import { keys } from '../src/keys.js';
import { tenantOf } from '../src/seclog.js';
import type { RoomKey } from '../src/model.js';
import { unmet, type CommandContext, type CommandSpec } from './spec.js';

/** What portal guests may run. */
export const GUEST_COMMANDS: ReadonlySet<string> = new Set(['help', 'ping']);

const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;
/** Answers per bot, briefly: a burst of commands costs one platform lookup. */
const cache = new WeakMap<Bot, Map<string, { readonly admin: boolean | undefined; readonly until: number }>>();

/** Is the author an admin of the room? undefined: the platform cannot tell. Throws when the lookup failed. */
export async function isRoomAdmin(bot: Bot, ctx: Pick<CommandContext, 'room' | 'roomKey' | 'author'>, now = Date.now()): Promise<boolean | undefined> {
  if (!knowsAdmins(bot)) return undefined;
  let answers = cache.get(bot);
  if (!answers) cache.set(bot, (answers = new Map()));
  const key = `${ctx.roomKey}\n${ctx.author.id}`;
  const hit = answers.get(key);
  if (hit && hit.until > now) return hit.admin;
  const admin = await bot.isAdmin(ctx.room, ctx.author.id);
  if (answers.size >= CACHE_MAX) answers.clear();
  answers.set(key, { admin, until: now + CACHE_MS });
  return admin;
}

async function isGuestRoom(ctx: CommandContext, room: RoomKey): Promise<boolean> {
  return (await ctx.s.store.get(keys.guestRoom(room))) !== null;
}

/**
 * Null when the author may do `what` as an admin of this room; otherwise the answer (the refusal
 * is in the security log). For commands that need an admin for part of what they do.
 */
export async function requireAdmin(ctx: CommandContext, what: string, verb: string, opts: { readonly revealsLog?: boolean } = {}): Promise<string | null> {
  const { s, bot, room, actor } = ctx;
  const mode = s.config.commandPermissions;
  if (mode === 'members') return null;
  // A workspace's log covers rooms beyond this one: only an admin the platform confirms may read it.
  const strict = mode === 'strict' || (opts.revealsLog === true && s.tenant(room) !== tenantOf(room, undefined));
  let admin: boolean | undefined;
  try {
    admin = await isRoomAdmin(bot, ctx);
  } catch (err) {
    s.log.warn({ err, platform: room.platform }, 'admin lookup failed');
    return `I could not check with ${platformName(room.platform)} whether you administer this room: try again in a moment.`;
  }
  if (admin === true || (admin === undefined && !strict)) return null;
  await s.audit(room, { type: 'refused', actor, detail: `${verb}: not an admin of this room` });
  const who = knowsAdmins(bot) && admin === false ? bot.adminsAre : `admins the ${platformName(room.platform)} bot can confirm, ${mode === 'strict' ? 'as the bridge is set to COMMAND_PERMISSIONS=strict' : 'as it shows the log of the whole workspace'}`;
  return `Only an admin of this room can ${what}: ${who}.`;
}

/**
 * Null when the author may run `spec` here; otherwise the answer to give instead. The one place
 * the runner checks `spec.requires`: portal guests first, then `admin`, then what the room's bot
 * must be able to do.
 */
export async function permission(ctx: CommandContext, spec: CommandSpec): Promise<string | null> {
  if (!GUEST_COMMANDS.has(spec.name) && (await isGuestRoom(ctx, ctx.roomKey))) {
    await ctx.s.audit(ctx.room, { type: 'refused', actor: ctx.actor, detail: `${spec.name}: portal guests may not run it` });
    return `In a guest chat you can talk, and use \`-${ctx.word} help\` and \`-${ctx.word} ping\`.`;
  }
  if (spec.requires?.includes('admin')) {
    const refused = await requireAdmin(ctx, `use \`-${ctx.word} ${spec.name}\``, spec.name, { revealsLog: spec.name === 'log' });
    if (refused !== null) return refused;
  }
  return unmet(spec, ctx) ?? null;
}
