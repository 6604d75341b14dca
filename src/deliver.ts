/**
 * Executes one delivery job against its target bot. Idempotent: a post whose copy is already
 * in the message map is not posted again, and a post split into several messages resumes
 * after the last one that went out, so a retry or a redelivered job never duplicates a copy.
 */
import { canDelete, canEdit, capabilitiesIn } from './bot.js';
import { unavailable } from './errors.js';
import { parseRoomKey, type OutboundPost, type RemoteMessageId } from './model.js';
import type { DeleteJob, DeliveryJob, EditJob, NoticeJob, PostJob } from './queue/job.js';
import type { JobAttempt } from './queue/lanes.js';
import type { Services } from './services.js';
import { shapeCopy } from './shape.js';

export class Deliverer {
  constructor(private readonly s: Services) {}

  readonly run = async (job: DeliveryJob, attempt: JobAttempt): Promise<void> => {
    switch (job.op) {
      case 'post':
        return this.post(job, attempt.uncertain);
      case 'edit':
        return this.edit(job);
      case 'delete':
        return this.delete(job);
      case 'notice':
        return this.notice(job);
    }
  };

  private botFor(target: string): ReturnType<Services['bot']> & object {
    const room = parseRoomKey(target);
    const bot = this.s.bot(room.platform);
    if (!bot) throw unavailable(`platform ${room.platform} is not running in this process`);
    return bot;
  }

  /** `mayExist`: an earlier attempt may have posted (some of) the copy without recording it. */
  private async post(job: PostJob, mayExist: boolean): Promise<void> {
    const bot = this.botFor(job.target);
    const room = parseRoomKey(job.target);
    const caps = capabilitiesIn(bot, room);
    // Everything the copy needs is read at once (one round trip on Redis): how far an earlier
    // attempt got, the origin's author format, and what a reply points at.
    const [done, { format }, reply] = await Promise.all([
      this.s.map.partsDone(job.group, job.target),
      this.s.rooms.get(job.origin),
      job.replyToGroup ? Promise.all([this.s.map.copiesIn(job.replyToGroup, job.target), this.s.map.get(job.replyToGroup)]) : undefined,
    ]);
    let replyTo: RemoteMessageId | undefined;
    let quote: { authorName: string; excerpt: string } | undefined;
    if (reply) {
      const [ids, original] = reply;
      if (caps.replies && ids?.[0]) replyTo = ids[0];
      else if (original) quote = { authorName: original.authorName, excerpt: original.excerpt };
    }
    const shaped = shapeCopy(
      { authorName: job.author.name, text: job.text, attachments: job.attachments, format, ...(job.action ? { action: true } : {}), ...(quote ? { quote } : {}) },
      caps,
    );
    if (done >= shaped.chunks.length) return; // already delivered
    const ids = done > 0 ? [...((await this.s.map.copiesIn(job.group, job.target)) ?? [])] : [];
    for (let i = done; i < shaped.chunks.length; i++) {
      const last = i === shaped.chunks.length - 1;
      const part: OutboundPost = {
        room,
        author: job.author,
        text: shaped.chunks[i] ?? '',
        attachments: last ? shaped.files : [],
        ...(i === 0 && replyTo ? { replyTo } : {}),
        origin: job.origin,
        idempotencyKey: `${job.group}:${job.target}:${i}`,
      };
      // Only the first part not recorded can have gone out unrecorded: progress is recorded
      // after every part.
      const unsure = mayExist && i === done;
      let made = await bot.send(unsure ? { ...part, mayExist: true } : part);
      // A bot that looked for its earlier copy must not have taken another message's copy (the
      // same text posted just before): then this part was never posted, and goes out now.
      if (unsure && (await this.copiesOfOthers(made, job))) made = await bot.send(part);
      ids.push(...made);
      // Record progress after every part, so a retry resumes instead of repeating.
      await this.s.map.addCopy(job.group, job.target, ids, i + 1);
    }
  }

  private async copiesOfOthers(ids: readonly RemoteMessageId[], job: PostJob): Promise<boolean> {
    const groups = await Promise.all(ids.map((id) => this.s.map.groupOf(job.target, id)));
    return groups.some((g) => g !== null && g !== job.group);
  }

  private async edit(job: EditJob): Promise<void> {
    const bot = this.botFor(job.target);
    if (!canEdit(bot)) return;
    const ids = await this.s.map.copiesIn(job.group, job.target);
    if (!ids?.length) return;
    const { format } = await this.s.rooms.get(job.origin);
    const room = parseRoomKey(job.target);
    const caps = capabilitiesIn(bot, room);
    const shaped = shapeCopy({ authorName: job.author.name, text: job.text, attachments: [], format }, caps);
    // A copy keeps its number of messages: extra text goes into the last one, cut to fit.
    for (let i = 0; i < ids.length; i++) {
      const text = i < ids.length - 1 ? (shaped.chunks[i] ?? '') : shaped.chunks.slice(i).join('\n');
      const fitted = text.length > caps.maxTextLength ? `${text.slice(0, caps.maxTextLength - 1)}…` : text;
      await bot.edit({ room, id: ids[i] as RemoteMessageId, author: job.author, text: fitted || '…' });
    }
  }

  private async delete(job: DeleteJob): Promise<void> {
    const bot = this.botFor(job.target);
    if (!canDelete(bot)) return;
    const ids = await this.s.map.copiesIn(job.group, job.target);
    const room = parseRoomKey(job.target);
    for (const id of ids ?? []) await bot.delete({ room, id });
  }

  private async notice(job: NoticeJob): Promise<void> {
    await this.botFor(job.target).say(parseRoomKey(job.target), job.text, job.replyTo);
  }
}
