/**
 * Request decoding for the fake Bot API: form-urlencoded (nested fields as JSON strings),
 * JSON bodies and multipart uploads, all read into one `Params`.
 */
import type { IncomingMessage } from 'node:http';

/** A Bot API refusal: becomes `{ok:false, error_code, description, parameters}` with that HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

export interface UploadedFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

export class Params {
  constructor(readonly raw: Readonly<Record<string, unknown>>) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== '';
  }

  str(key: string): string | undefined {
    const v = this.raw[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  num(key: string): number | undefined {
    const s = this.str(key);
    if (s === undefined || s === '') return undefined;
    const n = Number(s);
    if (!Number.isFinite(n)) throw badRequest(`invalid ${key} specified`);
    return n;
  }

  bool(key: string): boolean {
    const v = this.raw[key];
    return v === true || v === 'true' || v === '1';
  }

  /** A structured field: a JSON string (form bodies) or already an object (JSON bodies). */
  json<T>(key: string): T | undefined {
    const v = this.raw[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') return v as T;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw badRequest(`can't parse ${key} JSON object`);
    }
  }

  /** An upload (multipart part) or a string (file_id or URL). */
  file(key: string): UploadedFile | string | undefined {
    const v = this.raw[key];
    if (typeof v === 'string') return v;
    if (isUpload(v)) return v;
    return undefined;
  }

  /** For the call log: uploads shown as `{name, type, size}`. */
  describe(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.raw)) {
      out[k] = isUpload(v) ? { name: v.name, type: v.type, size: v.bytes.byteLength } : v;
    }
    return out;
  }
}

function isUpload(v: unknown): v is UploadedFile {
  return typeof v === 'object' && v !== null && 'bytes' in v && v.bytes instanceof Uint8Array;
}

/** Reads a request body; past `maxBytes` it keeps draining but returns `tooBig`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; tooBig: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) tooBig = true;
    if (!tooBig) chunks.push(b);
  }
  return { body: Buffer.concat(chunks), tooBig };
}

export async function parseParams(contentType: string, body: Buffer, query: URLSearchParams): Promise<Params> {
  const raw: Record<string, unknown> = Object.fromEntries(query);
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return new Params(raw);
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON body");
    }
    if (typeof parsed === 'object' && parsed !== null) Object.assign(raw, parsed);
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(raw, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type === 'multipart/form-data') {
    const form = await new Response(Uint8Array.from(body), { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form.entries()) {
      raw[k] =
        typeof v === 'string'
          ? v
          : ({ name: v.name, type: v.type, bytes: new Uint8Array(await v.arrayBuffer()) } satisfies UploadedFile);
    }
  }
  return new Params(raw);
}
