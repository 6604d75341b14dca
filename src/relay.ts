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
import { DownloadError } from './download.js';
import { FileRefused } from './files.js';
import type { CommandRunner } from './command.js';
import { keys } from './keys.js';
import { escapeText, toPlain } from './markup.js';
import { roomKey, type Inbound, type InboundPost, type RoomKey, type StoredFile } from './model.js';
import { jobId, type DeliveryJob } from './queue/job.js';
import type { Services } from './services.js';

const SEEN_TTL_MS = 7 * 24 * 3600_000;
/** The seen mark of a command event while it runs, and once it has an answer not yet queued. */
const RUNNING = 'running';
const ANSWER = 'answer:';

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
    if (seen?.startsWith(ANSWER)) {
      // A command that ran, whose answer was not queued yet (a crash, the queue unreachable).
      if (ev.kind === 'post') await this.answer(ev, seenKey, seen.slice(ANSWER.length), receivedAt);
      return;
    }
    if (seen) return;
    await this.handle(bot, ev, seenKey, room, known, component, receivedAt);
    await this.s.store.set(seenKey, '1', SEEN_TTL_MS);
  }

  private async handle(bot: Bot, ev: Inbound, seenKey: string, room: RoomKey, known: string | null, component: readonly RoomKey[], receivedAt: number): Promise<void> {
    if (ev.kind === 'post') {
      const full = toPlain(ev.text);
      const plain = full.trim();
      if (this.commands.isCommand(plain, this.s.config.commandWord)) {
        await this.command(bot, ev, seenKey, plain, receivedAt);
        return;
      }
      if (plain.startsWith('^^^')) return;
      await this.relayPost(ev, room, known, component, full, receivedAt);
      return;
    }
    if (ev.kind === 'reaction') return; // reactions are not relayed yet
    const group = known;
    const g = group ? await this.s.map.get(group) : null;
    // The room's own message (bridged or not): its recent conversation shows the change.
    if (!g || g.origin === room) await (ev.kind === 'edit' ? this.s.recent.edit(room, ev.id, toPlain(ev.text)) : this.s.recent.delete(room, ev.id));
    if (!group || !g) return;
    if (ev.kind === 'edit') await this.s.map.setExcerpt(group, toPlain(ev.text));
    // Only rooms this one is linked to now: nothing crosses a paused (or removed) tube.
    const reach = new Set(component);
    const jobs: DeliveryJob[] = [];
    for (const target of g.copies.keys()) {
      if (target === room || !reach.has(target)) continue;
      jobs.push(
        ev.kind === 'edit'
          ? { op: 'edit', id: jobId(), target, acceptedAt: receivedAt, group, origin: g.origin, author: ev.author ?? { id: '', name: g.authorName }, text: ev.text }
          : { op: 'delete', id: jobId(), target, acceptedAt: receivedAt, group },
      );
    }
    // Rooms still waiting for their copy of the post get the change after it (same lane).
    const originComponent = g.origin === room ? component : await this.s.tubes.component(g.origin);
    for (const target of await this.targets(g.origin, originComponent)) {
      if (target === room || g.copies.has(target) || !reach.has(target)) continue;
      jobs.push(
        ev.kind === 'edit'
          ? { op: 'edit', id: jobId(), target, acceptedAt: receivedAt, group, origin: g.origin, author: ev.author ?? { id: '', name: g.authorName }, text: ev.text }
          : { op: 'delete', id: jobId(), target, acceptedAt: receivedAt, group },
      );
    }
    await this.s.queue.enqueue(jobs);
  }

  /**
   * Run a command at most once per event, and never lose its answer. The event is claimed
   * first, so a redelivery (even after a crash mid-run) does not run it again; the answer is
   * kept in the claim, then queued as a notice replying to the command: the delivery queue
   * retries it (a 429, an outage), and a redelivery that finds an answer not yet queued queues
   * it. At worst (a crash between queueing and marking) an answer is posted twice; the command
   * never runs twice.
   */
  private async command(bot: Bot, ev: InboundPost, seenKey: string, plain: string, receivedAt: number): Promise<void> {
    if (!(await this.s.store.setIfAbsent(seenKey, RUNNING, SEEN_TTL_MS))) return;
    const text = await this.commands.run(this.s, { bot, message: ev, plain, receivedAt });
    await this.s.store.set(seenKey, `${ANSWER}${text}`, SEEN_TTL_MS);
    await this.answer(ev, seenKey, text, receivedAt);
  }

  private async answer(ev: InboundPost, seenKey: string, text: string, receivedAt: number): Promise<void> {
    await this.s.queue.enqueue([{ op: 'notice', id: jobId(), target: roomKey(ev.room), acceptedAt: receivedAt, text, replyTo: ev.id }]);
    await this.s.store.set(seenKey, '1', SEEN_TTL_MS);
  }

  /** Rooms a message from `room` goes to: the rest of its same room, minus send-only rooms. */
  private async targets(room: RoomKey, component: readonly RoomKey[]): Promise<RoomKey[]> {
    if (component.length < 2) return [];
    if ((await this.s.rooms.get(room)).direction === 'in') return [];
    const out: RoomKey[] = [];
    for (const r of component) if (r !== room && (await this.s.rooms.get(r)).direction !== 'out') out.push(r);
    return out;
  }

  /** A post from `room` that paused tubes hold back: counted per tube, for `resume`. */
  private async countHeld(room: RoomKey): Promise<void> {
    const held = await this.s.tubes.held(room);
    if (held.length === 0 || (await this.s.rooms.get(room)).direction === 'in') return;
    await Promise.all(held.map((e) => this.s.tubes.countHeld(e)));
  }

  private async relayPost(ev: InboundPost, room: RoomKey, known: string | null, component: readonly RoomKey[], plain: string, receivedAt: number): Promise<void> {
    const group = groupIdOf(room, ev.id);
    if (known && known !== group) return; // a copy we posted, coming back: never relay it
    if (!ev.text.trim() && !ev.attachments?.length) return;
    if (!known) await this.s.recent.post(room, ev.id, ev.author.name, plain || '(file)');
    const targets = await this.targets(room, component);
    if (!known) await this.countHeld(room);
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
    const tooBig = (name: string): string => escapeText(`(file ${name} not bridged: larger than ${Math.round(this.s.files.maxBytes / 1048576)} MB)`);
    for (const a of ev.attachments ?? []) {
      if (a.size !== undefined && a.size > this.s.files.maxBytes) {
        notes.push(tooBig(a.name));
        continue;
      }
      if (a.stored) {
        // An upload (web): now carried by a message, it lives as long as any bridged file.
        const kept = await this.s.files.claim(a.stored.id);
        if (kept) files.push(kept);
        else notes.push(escapeText(`(file ${a.name} expired before it was sent)`));
        continue;
      }
      try {
        const data = a.data ?? (await a.fetch?.());
        if (data) files.push(await this.s.files.put(a.name, a.mime, data, { room: roomKey(ev.room) }));
      } catch (err) {
        if (err instanceof FileRefused) {
          notes.push(err.reason === 'too_large' ? tooBig(a.name) : escapeText(`(file ${a.name} not bridged: ${err.message})`));
        } else if (err instanceof DownloadError && err.code === 'too_large') {
          notes.push(tooBig(a.name));
        } else {
          this.s.log.warn({ err, file: a.name }, 'could not download an attachment');
          notes.push(escapeText(`(file ${a.name} could not be fetched)`));
        }
      }
    }
    return { files, notes: notes.join('\n') };
  }
}
