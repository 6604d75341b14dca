/** One fake Discord + harness + real bot (discord.js against the fake), torn down by `close()`. */
import { createDiscordBot, type DiscordBot } from '../../bots/discord/index.js';
import type { BotContext } from '../../src/bot.js';
import type { Inbound, InboundPost, OutboundPost, RoomRef, StoredFile } from '../../src/model.js';
import { roomKey, type FileId } from '../../src/model.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { FakeDiscord } from '../fakes/discord/index.js';

export interface Rig {
  readonly fake: FakeDiscord;
  readonly h: Harness;
  readonly ctx: BotContext;
  bot: DiscordBot;
  /** Stop the current bot and start a new one with the same state (a restart). */
  restart(): Promise<void>;
  room(channelId: string): RoomRef;
  close(): Promise<void>;
}

export async function startRig(opts: { leaseHeld?: () => boolean; start?: boolean; maxFileBytes?: number } = {}): Promise<Rig> {
  const fake = await FakeDiscord.start(opts.maxFileBytes ? { maxFileBytes: opts.maxFileBytes } : {});
  const h = createHarness();
  const ctx: BotContext = opts.leaseHeld ? Object.assign(Object.create(h.ctx) as BotContext, { leaseHeld: opts.leaseHeld }) : h.ctx;
  const make = (): DiscordBot => createDiscordBot({ token: fake.token, apiUrl: fake.apiUrl, leasePollMs: 20 });
  const rig: Rig = {
    fake,
    h,
    ctx,
    bot: make(),
    async restart() {
      await rig.bot.stop();
      rig.bot = make();
      await rig.bot.start(ctx);
    },
    room(channelId) {
      const c = fake.world.channel(channelId);
      return c.guild_id ? { platform: 'discord', workspace: c.guild_id, channel: c.id } : { platform: 'discord', channel: c.id };
    },
    async close() {
      await rig.bot.stop();
      await h.close();
      await fake.close();
    },
  };
  if (opts.start !== false) await rig.bot.start(ctx);
  return rig;
}

export const isPost = (e: Inbound): e is InboundPost => e.kind === 'post';

let n = 0;
export function outbound(room: RoomRef, text: string, extra: Partial<OutboundPost> = {}): OutboundPost {
  n++;
  return {
    room,
    author: { id: 'tg:42', name: 'Carol', avatarUrl: 'https://example.com/carol.png' },
    text,
    attachments: [],
    origin: roomKey({ platform: 'telegram', channel: '-100' }),
    idempotencyKey: `delivery-${n}-${Date.now()}`,
    ...extra,
  };
}

/** Store bytes in the harness as a bridge file. */
export function storedFile(h: Harness, name: string, data: Uint8Array, mime = 'application/octet-stream'): StoredFile {
  const id = `file-${name}-${data.length}` as FileId;
  h.files.set(id, data);
  return { id, name, mime, size: data.length, url: `https://bridge.example/files/${id}` };
}
