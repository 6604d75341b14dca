/**
 * Attachment bytes kept by the bridge: stored once when a message comes in, served at
 * PUBLIC_URL/files/<id>/<name>, and read by bots that re-upload them.
 *
 * The bytes live in one directory (FILES_DIR, default DATA_DIR/files), never in the store: on
 * Redis only the metadata (with its TTL) is in memory. Several processes of one bridge share
 * the directory (a common volume: NFS, a Kubernetes ReadWriteMany volume); a file is written
 * under a temporary name and renamed, so a reader never sees half of one.
 *
 * Expiry: the metadata key carries the TTL (an upload not yet posted: UPLOAD_TTL_MINUTES; a
 * bridged file: FILE_TTL_DAYS). `sweep()` (every few minutes, in every process) deletes bytes
 * whose metadata is gone. A budget caps the bytes one room and one client address may store
 * per day.
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { keys } from './keys.js';
import type { FileLimits } from './limits.js';
import type { FileId, StoredFile } from './model.js';
import type { Store } from './store/store.js';

const ID = /^[A-Za-z0-9_-]{24}$/;
/** Bytes younger than this are never swept (their metadata may be on its way). */
const SWEEP_GRACE_MS = 10 * 60_000;

/** Why a file was not stored; `message` is fit to show the user. */
export class FileRefused extends Error {
  constructor(
    readonly reason: 'too_large' | 'room_budget' | 'address_budget',
    message: string,
  ) {
    super(message);
    this.name = 'FileRefused';
  }
}

export interface FileOwner {
  /** The room the file belongs to (its byte budget). */
  readonly room?: string;
  /** The client address that uploaded it (its byte budget). */
  readonly address?: string;
  /** An upload that no message carries yet: it expires soon unless `claim`ed. */
  readonly pending?: boolean;
}

export class Files {
  private sweeper: NodeJS.Timeout | undefined;
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly store: Store,
    private readonly publicUrl: string,
    readonly limits: FileLimits,
    private readonly log?: Logger,
  ) {}

  get maxBytes(): number {
    return this.limits.maxBytes;
  }

  /** Store bytes held in memory (a download, already bounded by the fetcher). */
  async put(name: string, mime: string, data: Uint8Array, owner: FileOwner = {}): Promise<StoredFile> {
    if (data.byteLength > this.limits.maxBytes) throw this.tooLarge();
    return this.write(name, mime, owner, async (path) => {
      await writeFile(path, data);
      return data.byteLength;
    });
  }

  /** Store a stream (an upload), written to disk as it arrives; past the size limit it is refused. */
  async putStream(name: string, mime: string, source: Readable, owner: FileOwner = {}): Promise<StoredFile> {
    return this.write(name, mime, owner, async (path) => {
      let size = 0;
      const max = this.limits.maxBytes;
      const tooLarge = (): FileRefused => this.tooLarge();
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > max) throw tooLarge();
            yield chunk;
          }
        },
        createWriteStream(path),
      );
      // @fastify/multipart truncates at its own limit instead of failing.
      if ((source as Readable & { truncated?: boolean }).truncated) throw tooLarge();
      return size;
    });
  }

  private async write(name: string, mime: string, owner: FileOwner, fill: (path: string) => Promise<number>): Promise<StoredFile> {
    await this.dir();
    const id = nanoid(24) as FileId;
    const tmp = join(this.limits.dir, `${id}.part`);
    let size: number;
    try {
      size = await fill(tmp);
      await this.charge(owner, size);
      await rename(tmp, this.path(id));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const safeName = name.replace(/[\\/\0]/g, '_').slice(0, 200) || 'file';
    const file: StoredFile = {
      id,
      name: safeName,
      mime: mime || 'application/octet-stream',
      size,
      url: `${this.publicUrl}/files/${id}/${encodeURIComponent(safeName)}`,
    };
    await this.store.set(keys.fileMeta(id), JSON.stringify(file), owner.pending ? this.limits.uploadTtlMs : this.limits.ttlMs);
    return file;
  }

  /** Count `size` against the room's and the address's budgets; over either, nothing is counted. */
  private async charge(owner: FileOwner, size: number): Promise<void> {
    const charged: string[] = [];
    const scopes: Array<[string | undefined, string, number, FileRefused['reason']]> = [
      [owner.room, 'room', this.limits.roomBudgetBytes, 'room_budget'],
      [owner.address, 'addr', this.limits.addressBudgetBytes, 'address_budget'],
    ];
    for (const [who, scope, budget, reason] of scopes) {
      if (who === undefined) continue;
      const key = keys.fileBudget(scope, who);
      const used = await this.store.incr(key, this.limits.budgetWindowMs, size);
      charged.push(key);
      if (used > budget) {
        for (const k of charged) await this.store.incr(k, this.limits.budgetWindowMs, -size);
        const what = scope === 'room' ? 'this room has' : 'you have';
        throw new FileRefused(reason, `${what} stored too many files today: try again tomorrow`);
      }
    }
  }

  private tooLarge(): FileRefused {
    return new FileRefused('too_large', `files are limited to ${Math.round(this.limits.maxBytes / 1048576)} MB`);
  }

  async meta(id: string): Promise<StoredFile | null> {
    if (!ID.test(id)) return null;
    const v = await this.store.get(keys.fileMeta(id));
    return v ? (JSON.parse(v) as StoredFile) : null;
  }

  /** A posted upload: it now lives as long as any bridged file. Null when it expired or never was. */
  async claim(id: string): Promise<StoredFile | null> {
    const meta = await this.meta(id);
    if (meta) await this.store.set(keys.fileMeta(id), JSON.stringify(meta), this.limits.ttlMs);
    return meta;
  }

  async read(id: string): Promise<Uint8Array | null> {
    if (!(await this.meta(id))) return null;
    return readFile(this.path(id)).catch(() => null);
  }

  /** The bytes as a stream (serving), or null when expired or gone. */
  async open(id: string): Promise<ReadStream | null> {
    if (!(await this.meta(id))) return null;
    const s = createReadStream(this.path(id));
    return new Promise((resolve) => {
      s.once('open', () => resolve(s));
      s.once('error', () => resolve(null));
    });
  }

  /** Delete bytes whose metadata expired (and stale partial writes). Returns how many went. */
  async sweep(now = Date.now()): Promise<number> {
    await this.dir();
    let removed = 0;
    for (const name of await readdir(this.limits.dir)) {
      const path = join(this.limits.dir, name);
      const st = await stat(path).catch(() => null);
      if (!st?.isFile() || now - st.mtimeMs < SWEEP_GRACE_MS) continue;
      const id = name.replace(/\.part$/, '');
      if (name.endsWith('.part') || !ID.test(id) || !(await this.store.get(keys.fileMeta(id)))) {
        await unlink(path).then(() => removed++, () => undefined);
      }
    }
    return removed;
  }

  /** Sweep every `everyMs` until stop(). */
  start(everyMs = 5 * 60_000): void {
    this.sweeper = setInterval(() => {
      this.sweep().catch((err: unknown) => this.log?.warn({ err }, 'file sweep failed'));
    }, everyMs);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private path(id: string): string {
    return join(this.limits.dir, id);
  }

  private dir(): Promise<unknown> {
    this.ready ??= mkdir(this.limits.dir, { recursive: true });
    return this.ready;
  }
}
