/** Helpers shared by the fake's REST routes: Discord-shaped errors, payload parsing, validation. */
import { RESTJSONErrorCodes, type APIAllowedMentions, type APIMessageReference } from 'discord-api-types/v10';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UploadedFile } from './world.js';

export function apiError(reply: FastifyReply, status: number, code: number, message: string, errors?: unknown): FastifyReply {
  return reply.code(status).send({ message, code, ...(errors ? { errors } : {}) });
}

/** Discord's 400 "Invalid Form Body" (50035) with one field error. */
export function formError(reply: FastifyReply, field: string, code: string, message: string): FastifyReply {
  return apiError(reply, 400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body', {
    [field]: { _errors: [{ code, message }] },
  });
}

export function tooLarge(reply: FastifyReply): FastifyReply {
  return apiError(reply, 413, RESTJSONErrorCodes.RequestEntityTooLarge, 'Request entity too large');
}

/** The fields of a message-posting body the fake looks at (JSON body or multipart payload_json). */
export interface MessageBody {
  content?: string;
  nonce?: string | number;
  enforce_nonce?: boolean;
  allowed_mentions?: APIAllowedMentions;
  message_reference?: APIMessageReference & { fail_if_not_exists?: boolean };
  username?: string;
  avatar_url?: string;
  flags?: number;
}

export type Payload = { body: MessageBody; files: UploadedFile[] } | { tooLarge: true };

/** Read a JSON or multipart (payload_json + files[n]) body. Files over the multipart limit → tooLarge. */
export async function readPayload(req: FastifyRequest): Promise<Payload> {
  if (!req.isMultipart()) return { body: toBody(req.body), files: [] };
  const files: UploadedFile[] = [];
  let body: MessageBody = {};
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (!/^files\[\d+\]$/.test(part.fieldname)) throw new Error(`unexpected multipart field ${part.fieldname}`);
        files.push({ name: part.filename, contentType: part.mimetype, data: await part.toBuffer() });
      } else if (part.fieldname === 'payload_json') {
        body = toBody(JSON.parse(String(part.value)));
      }
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') return { tooLarge: true };
    throw err;
  }
  return { body, files };
}

function toBody(v: unknown): MessageBody {
  if (typeof v !== 'object' || v === null) return {};
  const o = v as Record<string, unknown>;
  const body: MessageBody = {};
  if (typeof o.content === 'string') body.content = o.content;
  if (typeof o.nonce === 'string' || typeof o.nonce === 'number') body.nonce = o.nonce;
  if (typeof o.enforce_nonce === 'boolean') body.enforce_nonce = o.enforce_nonce;
  if (typeof o.username === 'string') body.username = o.username;
  if (typeof o.avatar_url === 'string') body.avatar_url = o.avatar_url;
  if (typeof o.flags === 'number') body.flags = o.flags;
  if (typeof o.allowed_mentions === 'object' && o.allowed_mentions !== null) body.allowed_mentions = o.allowed_mentions as APIAllowedMentions;
  if (typeof o.message_reference === 'object' && o.message_reference !== null) {
    body.message_reference = o.message_reference as MessageBody['message_reference'];
  }
  return body;
}

export const MAX_CONTENT = 2000;

/** Validate content length and emptiness like Discord; returns an error reply or null. */
export function checkContent(reply: FastifyReply, body: MessageBody, files: readonly UploadedFile[], create: boolean): FastifyReply | null {
  const content = body.content ?? '';
  if (content.length > MAX_CONTENT) return formError(reply, 'content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);
  if (create && content.trim() === '' && files.length === 0) {
    return apiError(reply, 400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
  }
  return null;
}

/** Webhook names: 1–80 characters, never containing "discord" or "clyde" (case-insensitive). */
export function badWebhookName(name: string): string | null {
  if (name.length < 1 || [...name].length > 80) return 'Must be between 1 and 80 in length.';
  if (/discord|clyde/i.test(name)) return 'Username cannot contain "discord" or "clyde"';
  return null;
}

export function param(req: FastifyRequest, name: string): string {
  const p = req.params as Record<string, string | undefined>;
  return p[name] ?? '';
}

export function query(req: FastifyRequest, name: string): string | undefined {
  const q = req.query as Record<string, string | undefined>;
  return q[name];
}
