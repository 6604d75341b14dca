/**
 * Posting into a GroupMe group through its bot: `POST /bots/post {bot_id, text, attachments}`.
 *
 * Text is rendered plain (GroupMe has no markup) and split at 1000 characters. Images are
 * re-hosted on GroupMe's image service and attached as `{type:'image', url}` (GroupMe accepts
 * only its own image URLs); every other file is posted as a link. A reply becomes a `reply`
 * attachment on the first message. Ids come from the echo of each post (see echo.ts).
 */
import type { Logger } from 'pino';
import { DeliveryError } from '../../src/errors.js';
import { splitText } from '../../src/markup.js';
import type { RemoteMessageId, RoomRef, StoredFile } from '../../src/model.js';
import { remoteId } from '../../src/model.js';
import type { GroupMeClient } from './client.js';
import { isSynthetic, syntheticId, type EchoMatcher } from './echo.js';
import { fromCanonical } from './format.js';
import type { BotRegistry, GroupBot } from './registry.js';
import type { OutboundAttachment } from './types.js';

/** GroupMe's limit on `text` in bots/post. */
export const MAX_TEXT = 1000;

export interface OutboundDeps {
  readonly client: GroupMeClient;
  readonly registry: BotRegistry;
  readonly echoes: EchoMatcher;
  readonly log: Logger;
  readonly readFile: (id: string) => Promise<Uint8Array | null>;
  readonly maxImageBytes: number;
  /** How long to wait for a post's echo to learn its id. */
  readonly echoWaitMs: number;
  /** Ask for a sync in the background (a bot went missing). */
  readonly resync: () => void;
}

export interface Outgoing {
  readonly room: RoomRef;
  /** Canonical markup. */
  readonly text: string;
  readonly files?: readonly StoredFile[];
  readonly replyTo?: RemoteMessageId;
}

export async function post(deps: OutboundDeps, out: Outgoing): Promise<RemoteMessageId[]> {
  const bot = await botFor(deps, out.room);
  const images: OutboundAttachment[] = [];
  const links: string[] = [];
  for (const file of out.files ?? []) {
    const url = await rehost(deps, file);
    if (url) images.push({ type: 'image', url });
    else links.push(file.name && file.name !== file.url ? `${file.name} (${file.url})` : file.url);
  }
  const body = [fromCanonical(out.text), ...links].filter((t) => t !== '').join('\n');
  const chunks = splitText(body, MAX_TEXT);
  const first: OutboundAttachment[] = [...images];
  if (out.replyTo && !isSynthetic(out.replyTo)) {
    first.push({ type: 'reply', reply_id: out.replyTo, base_reply_id: out.replyTo });
  }
  const ids: RemoteMessageId[] = [];
  for (const [i, text] of chunks.entries()) {
    ids.push(await postOne(deps, bot, text, i === 0 ? first : []));
  }
  return ids;
}

async function botFor(deps: OutboundDeps, room: RoomRef): Promise<GroupBot> {
  const known = deps.registry.forGroup(room.channel);
  if (known) return known;
  // Maybe the account was added to the group since the last sync.
  await deps.registry.sync();
  const bot = deps.registry.forGroup(room.channel);
  if (!bot) throw new DeliveryError('not_found', 'GroupMe: the bridge account is not in this group');
  return bot;
}

async function postOne(
  deps: OutboundDeps,
  bot: GroupBot,
  text: string,
  attachments: OutboundAttachment[],
): Promise<RemoteMessageId> {
  const expected = deps.echoes.expect(bot.groupId, text);
  try {
    await deps.client.postAsBot({
      bot_id: bot.botId,
      text,
      ...(attachments.length > 0 ? { attachments } : {}),
    });
  } catch (err) {
    expected.cancel();
    if (err instanceof DeliveryError && err.code === 'not_found') {
      // The bot was removed on GroupMe's side: find or make another, and let the queue retry.
      deps.registry.forget(bot.groupId);
      deps.resync();
      throw new DeliveryError('unavailable', 'GroupMe: the group bot is gone; setting up a new one');
    }
    throw err;
  }
  const id = await expected.wait(deps.echoWaitMs);
  if (id) return remoteId(id);
  deps.log.debug({ group: bot.groupId }, 'groupme: no echo of a post; using a generated id');
  return remoteId(syntheticId());
}

/**
 * Upload an image to GroupMe's image service; `undefined` means "post it as a link" (not an
 * image, too big, bytes gone, or refused by the service). Rate limits and outages throw.
 */
async function rehost(deps: OutboundDeps, file: StoredFile): Promise<string | undefined> {
  if (!file.mime.startsWith('image/') || file.size > deps.maxImageBytes) return undefined;
  const bytes = await deps.readFile(file.id);
  if (!bytes || bytes.byteLength > deps.maxImageBytes) return undefined;
  try {
    return await deps.client.uploadImage(bytes, file.mime);
  } catch (err) {
    if (err instanceof DeliveryError && !err.transient) {
      deps.log.warn({ err }, 'groupme: image service refused an image; posting a link');
      return undefined;
    }
    throw err;
  }
}
