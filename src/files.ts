/**
 * Attachment bytes kept by the bridge: stored once when a message comes in, served at
 * PUBLIC_URL/files/<id>/<name>, and read by bots that re-upload them.
 */
import { nanoid } from 'nanoid';
import { keys } from './keys.js';
import type { FileId, StoredFile } from './model.js';
import type { Store } from './store/store.js';

export class Files {
  constructor(
    private readonly store: Store,
    private readonly publicUrl: string,
    readonly maxBytes: number,
    private readonly ttlMs = 30 * 24 * 3600_000,
  ) {}

  /** Store bytes; the caller checked the size. */
  async put(name: string, mime: string, data: Uint8Array): Promise<StoredFile> {
    const id = nanoid(24) as FileId;
    const safeName = name.replace(/[\\/\0]/g, '_').slice(0, 200) || 'file';
    await this.store.putBytes(keys.file(id), data, this.ttlMs);
    const file: StoredFile = {
      id,
      name: safeName,
      mime: mime || 'application/octet-stream',
      size: data.byteLength,
      url: `${this.publicUrl}/files/${id}/${encodeURIComponent(safeName)}`,
    };
    await this.store.set(keys.fileMeta(id), JSON.stringify(file), this.ttlMs);
    return file;
  }

  async meta(id: string): Promise<StoredFile | null> {
    const v = await this.store.get(keys.fileMeta(id));
    return v ? (JSON.parse(v) as StoredFile) : null;
  }

  async read(id: string): Promise<Uint8Array | null> {
    return this.store.getBytes(keys.file(id));
  }
}
