/**
 * The inbound pipeline, once for every platform:
 *   redelivery? → command? → `^^^`? → echo of our own copy? → empty? → relay.
 * Relaying stores attachments, records the message in the message map and enqueues one job
 * per other room of the same room. Everything it does for an event is idempotent, so a
 * platform redelivering an event after a crash re-enqueues at worst, and the deliverer
 * never posts a copy twice.
 */
import { createHash } from 'node:crypto';
import type { Bot } from './bot.js';
import type { CommandRunner } from './command.js';
import { keys } from './keys.js';
import { escapeText, toPlain } from './markup.js';
import { roomKey, type Inbound, type InboundPost, type RoomKey, type StoredFile } from './model.js';
import { jobId, type DeliveryJob } from './queue/job.js';
import type { Services } from './services.js';

const SEEN_TTL_MS = 7 * 24 * 3600_000;

/** The message-map group of an original message: derived, so a redelivery finds the same one. */
export function groupIdOf(room: RoomKey, id: string): string {
  return createHash('sha256').update(`${room}\n${id}`).digest('base64url').slice(0, 22);
}

export class Relay {
  constructor(
    private readonly s: Services,
    private readonly commands: CommandRunner,
  ) {}

  async ingest(bot: Bot, ev: Inbound, receivedAt = Date.now()): Promise<void> {
    const seenKey = keys.seen(ev.room.platform, ev.eventId);
    const room = roomKey(ev.room);
    // The reads every event needs go out together (one round trip on Redis): redelivered?,
    // the message's group (a copy of ours coming back, or the post an edit is about), and the
    // room's same room (a topology version check when cached).
    const [seen, known, component] = await Promise.all([
      this.s.store.get(seenKey),
      this.s.map.groupOf(room, ev.id),
      this.s.tubes.component(room),
    ]);
    if (seen) return;
    await this.handle(bot, ev, room, known, component, receivedAt);
    await this.s.store.set(seenKey, '1', SEEN_TTL_MS);
  }

  private async handle(bot: Bot, ev: Inbound, room: RoomKey, known: string | null, component: readonly RoomKey[], receivedAt: number): Promise<void> {
    if (ev.kind === 'post') {
      const full = toPlain(ev.text);
      const plain = full.trim();
      if (this.commands.isCommand(plain, this.s.config.commandWord)) {
        const answer = await this.commands.run(this.s, { bot, message: ev, plain, receivedAt });
        await this.answer(bot, ev, answer, receivedAt);
        return;
      }
      if (plain.startsWith('^^^')) return;
      await this.relayPost(ev, room, known, component, full, receivedAt);
      return;
    }
    const group = known;
    if (!group) return;
    const g = await this.s.map.get(group);
    if (!g) return;
    if (ev.kind === 'edit') await this.s.map.setExcerpt(group, toPlain(ev.text));
    const jobs: DeliveryJob[] = [];
    for (const target of g.copies.keys()) {
      if (target === room) continue;
      jobs.push(
        ev.kind === 'edit'
          ? { op: 'edit', id: jobId(), target, acceptedAt: receivedAt, group, origin: g.origin, author: ev.author ?? { id: '', name: g.authorName }, text: ev.text }
          : { op: 'delete', id: jobId(), target, acceptedAt: receivedAt, group },
      );
    }
    // Rooms still waiting for their copy of the post get the change after it (same lane).
    const originComponent = g.origin === room ? component : await this.s.tubes.component(g.origin);
    for (const target of await this.targets(g.origin, originComponent)) {
      if (target === room || g.copies.has(target)) continue;
      jobs.push(
        ev.kind === 'edit'
          ? { op: 'edit', id: jobId(), target, acceptedAt: receivedAt, group, origin: g.origin, author: ev.author ?? { id: '', name: g.authorName }, text: ev.text }
          : { op: 'delete', id: jobId(), target, acceptedAt: receivedAt, group },
      );
    }
    await this.s.queue.enqueue(jobs);
  }

  /**
   * Post a command's answer. It goes out at once when the platform takes it; when it does not
   * (a 429, an outage) it is handed to the delivery queue, which retries it: the event still
   * counts as handled, so the platform's redelivery never runs the command a second time.
   */
  private async answer(bot: Bot, ev: InboundPost, text: string, receivedAt: number): Promise<void> {
    try {
      await bot.say(ev.room, text, ev.id);
    } catch (err) {
      this.s.log.warn({ err, platform: bot.platform }, 'command answer not posted; queued for retry');
      await this.s.queue.enqueue([{ op: 'notice', id: jobId(), target: roomKey(ev.room), acceptedAt: receivedAt, text, replyTo: ev.id }]);
    }
  }

  /** Rooms a message from `room` goes to: the rest of its same room, minus send-only rooms. */
  private async targets(room: RoomKey, component: readonly RoomKey[]): Promise<RoomKey[]> {
    if (component.length < 2) return [];
    if ((await this.s.rooms.get(room)).direction === 'in') return [];
    const out: RoomKey[] = [];
    for (const r of component) if (r !== room && (await this.s.rooms.get(r)).direction !== 'out') out.push(r);
    return out;
  }

  private async relayPost(ev: InboundPost, room: RoomKey, known: string | null, component: readonly RoomKey[], plain: string, receivedAt: number): Promise<void> {
    const group = groupIdOf(room, ev.id);
    if (known && known !== group) return; // a copy we posted, coming back: never relay it
    if (!ev.text.trim() && !ev.attachments?.length) return;
    const targets = await this.targets(room, component);
    if (targets.length === 0) return;
    const [attachments, replyToGroup] = await Promise.all([
      this.storeAttachments(ev),
      ev.replyTo ? this.s.map.groupOf(room, ev.replyTo) : null,
    ]);
    const jobs: DeliveryJob[] = targets.map((target) => ({
      op: 'post',
      id: jobId(),
      target,
      acceptedAt: receivedAt,
      group,
      origin: room,
      author: ev.author,
      text: attachments.notes ? `${ev.text}${ev.text ? '\n' : ''}${attachments.notes}` : ev.text,
      attachments: attachments.files,
      ...(replyToGroup ? { replyToGroup } : {}),
      ...(ev.action ? { action: true } : {}),
    }));
    // The group and the jobs are written together: a copy recorded by a fast deliverer only
    // adds its own fields to the group, and a redelivered event finds the group and re-enqueues
    // jobs the deliverer then skips. The event is marked seen only after both are stored.
    await Promise.all([
      known ? undefined : this.s.map.create(group, room, ev.id, plain, ev.author.name),
      this.s.queue.enqueue(jobs),
    ]);
  }

  private async storeAttachments(ev: InboundPost): Promise<{ files: StoredFile[]; notes: string }> {
    const files: StoredFile[] = [];
    const notes: string[] = [];
    for (const a of ev.attachments ?? []) {
      if (a.size !== undefined && a.size > this.s.files.maxBytes) {
        notes.push(escapeText(`(file ${a.name} not bridged: larger than ${Math.round(this.s.files.maxBytes / 1048576)} MB)`));
        continue;
      }
      if (a.stored) {
        files.push(a.stored);
        continue;
      }
      let data: Uint8Array | undefined;
      try {
        data = a.data ?? (await a.fetch?.());
      } catch (err) {
        this.s.log.warn({ err, file: a.name }, 'could not download an attachment');
        notes.push(escapeText(`(file ${a.name} could not be fetched)`));
        continue;
      }
      if (!data) continue;
      if (data.byteLength > this.s.files.maxBytes) {
        notes.push(escapeText(`(file ${a.name} not bridged: larger than ${Math.round(this.s.files.maxBytes / 1048576)} MB)`));
        continue;
      }
      files.push(await this.s.files.put(a.name, a.mime, data));
    }
    return { files, notes: notes.join('\n') };
  }
}
