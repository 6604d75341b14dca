/**
 * The Bot API methods the fake answers (besides getUpdates and the webhook methods, in
 * index.ts): sending, editing, deleting messages, files and chats, with Telegram's limits.
 */
import type {
  Chat,
  ChatFullInfo,
  ChatMember,
  File as TgFile,
  Message,
  MessageEntity,
  ReplyParameters,
  User,
} from 'node-telegram-bot-api';
import { EntityParseError, parseHtml, type ParsedText } from './html.js';
import { ApiError, badRequest, type Params, type UploadedFile } from './params.js';
import type { StoredFile, StoredMessage, World } from './world.js';

export interface Limits {
  /** Message text, after entity parsing (UTF-16 units). */
  readonly text: number;
  readonly caption: number;
  /** Any upload. */
  readonly uploadBytes: number;
  /** sendPhoto. */
  readonly photoBytes: number;
  /** getFile. */
  readonly downloadBytes: number;
}

export const REAL_LIMITS: Limits = {
  text: 4096,
  caption: 1024,
  uploadBytes: 50 * 1024 * 1024,
  photoBytes: 10 * 1024 * 1024,
  downloadBytes: 20 * 1024 * 1024,
};

export type Method = (p: Params) => unknown;

export function messageMethods(world: World, me: User, limits: Limits): Record<string, Method> {
  const chatOf = (p: Params): Chat => {
    const id = p.num('chat_id');
    const chat = id === undefined ? undefined : world.chats.get(id);
    if (!chat) throw badRequest('chat not found');
    return chat;
  };
  const mustFind = (p: Params, verb: string): StoredMessage => {
    const chat = chatOf(p);
    const found = world.find(chat.id, p.num('message_id') ?? 0);
    if (!found) throw badRequest(`message to ${verb} not found`);
    return found;
  };

  /** Fields every send shares: chat, topic, reply. */
  const base = (p: Params): Message => {
    const chat = chatOf(p);
    const msg: Message = { message_id: 0, date: world.now(), chat, from: me };
    const thread = p.num('message_thread_id');
    if (thread !== undefined) {
      if (!chat.is_forum || !world.topics.get(chat.id)?.has(thread)) throw badRequest('message thread not found');
      msg.message_thread_id = thread;
      msg.is_topic_message = true;
    }
    const rp = p.json<ReplyParameters>('reply_parameters');
    const replyId = rp?.message_id ?? p.num('reply_to_message_id');
    if (replyId !== undefined) {
      const replied = world.find(chat.id, replyId);
      if (replied) {
        const r = { ...replied.message };
        delete r.reply_to_message;
        msg.reply_to_message = r;
      } else if (!(rp?.allow_sending_without_reply ?? p.bool('allow_sending_without_reply'))) {
        throw badRequest('message to be replied not found');
      }
    }
    return msg;
  };
  const commit = (msg: Message, extra: Partial<StoredMessage>): Message => {
    msg.message_id = world.messageId(msg.chat.id);
    world.store(msg, true, extra);
    return msg;
  };
  const upload = (p: Params, key: string, maxBytes: number, kind: string): StoredFile => {
    const f = p.file(key);
    if (f === undefined) throw badRequest(`there is no ${key} in the request`);
    if (typeof f === 'string') {
      const known = world.files.get(f);
      if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
      return known;
    }
    if (f.bytes.byteLength > limits.uploadBytes) throw new ApiError(413, 'Request Entity Too Large');
    if (f.bytes.byteLength > maxBytes) throw badRequest('PHOTO_SAVE_FILE_INVALID');
    return world.addFile(named(f), kind);
  };
  const captioned = (p: Params): Partial<Message> => {
    if (!p.has('caption')) return {};
    const parsed = parse(p, 'caption');
    if (parsed.text.length > limits.caption) throw badRequest('message caption is too long');
    return parsed.text
      ? { caption: parsed.text, ...(parsed.entities.length ? { caption_entities: parsed.entities } : {}) }
      : {};
  };
  const texted = (p: Params): { parsed: ParsedText; html: string } => {
    const parsed = parse(p, 'text');
    if (!parsed.text.trim()) throw badRequest('message text is empty');
    if (parsed.text.length > limits.text) throw badRequest('message is too long');
    return { parsed, html: p.str('text') ?? '' };
  };

  return {
    getme: () => me,

    sendmessage: (p) => {
      const msg = base(p);
      const { parsed, html } = texted(p);
      msg.text = parsed.text;
      if (parsed.entities.length) msg.entities = parsed.entities;
      return commit(msg, { html });
    },

    sendphoto: (p) => {
      const msg = base(p);
      const file = upload(p, 'photo', limits.photoBytes, 'photo');
      Object.assign(msg, captioned(p));
      msg.photo = [{ file_id: file.file_id, file_unique_id: file.file_unique_id, width: 800, height: 600, file_size: file.size }];
      return commit(msg, { file, ...(p.has('caption') ? { html: p.str('caption') ?? '' } : {}) });
    },

    senddocument: (p) => {
      const msg = base(p);
      const file = upload(p, 'document', limits.uploadBytes, 'document');
      Object.assign(msg, captioned(p));
      msg.document = {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_size: file.size,
        ...(file.name ? { file_name: file.name } : {}),
        ...(file.mime ? { mime_type: file.mime } : {}),
      };
      return commit(msg, { file, ...(p.has('caption') ? { html: p.str('caption') ?? '' } : {}) });
    },

    editmessagetext: (p) => {
      const stored = mustFind(p, 'edit');
      if (!stored.fromBot) throw badRequest("message can't be edited");
      if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
      const { parsed, html } = texted(p);
      if (same(stored.message.text, stored.message.entities, parsed)) throw notModified();
      const m: Message = { ...stored.message, text: parsed.text, edit_date: world.now() };
      if (parsed.entities.length) m.entities = parsed.entities;
      else delete m.entities;
      Object.assign(stored, { message: m, html, edits: stored.edits + 1 });
      return m;
    },

    editmessagecaption: (p) => {
      const stored = mustFind(p, 'edit');
      if (!stored.fromBot) throw badRequest("message can't be edited");
      if (stored.message.text !== undefined) throw badRequest('there is no caption in the message to edit');
      const next = captioned(p);
      if (same(stored.message.caption ?? '', stored.message.caption_entities, { text: next.caption ?? '', entities: next.caption_entities ?? [] })) {
        throw notModified();
      }
      const m: Message = { ...stored.message, edit_date: world.now() };
      delete m.caption;
      delete m.caption_entities;
      Object.assign(m, next);
      Object.assign(stored, { message: m, html: p.str('caption') ?? '', edits: stored.edits + 1 });
      return m;
    },

    deletemessage: (p) => {
      const stored = mustFind(p, 'delete');
      stored.deleted = true;
      return true;
    },

    getfile: (p): TgFile => {
      const file = world.files.get(p.str('file_id') ?? '');
      if (!file) throw badRequest('invalid file_id');
      if (file.size > limits.downloadBytes) throw badRequest('file is too big');
      return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.size, file_path: file.file_path };
    },

    // Statuses as the Bot API reports them: creator, administrator, member, left (unknown users: 400).
    getchatmember: (p): ChatMember => {
      const chat = chatOf(p);
      const user = world.users.get(p.num('user_id') ?? 0);
      if (!user) throw badRequest('user not found');
      const role = world.roles.get(chat.id)?.get(user.id);
      if (role === 'creator') return { status: 'creator', user, is_anonymous: false };
      if (role === 'administrator') {
        return {
          status: 'administrator', user, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
          can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false, can_change_info: true, can_invite_users: true,
          can_post_stories: false, can_edit_stories: false, can_delete_stories: false,
        };
      }
      return { status: 'member', user };
    },

    getchat: (p): ChatFullInfo => ({
      ...chatOf(p),
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: false,
        limited_gifts: false,
        unique_gifts: false,
        premium_subscription: false,
        gifts_from_channels: false,
      },
    }),
  };
}

/** Reads `text`/`caption` with its parse_mode, as Telegram does; surrounding whitespace is cut. */
function parse(p: Params, key: 'text' | 'caption'): ParsedText {
  return trim(parseRaw(p, key));
}

function trim(parsed: ParsedText): ParsedText {
  const text = parsed.text.trim();
  const lead = parsed.text.length - parsed.text.trimStart().length;
  const entities = parsed.entities
    .map((e) => {
      const start = Math.max(0, e.offset - lead);
      const end = Math.min(text.length, e.offset - lead + e.length);
      return { ...e, offset: start, length: end - start };
    })
    .filter((e) => e.length > 0);
  return { text, entities };
}

function parseRaw(p: Params, key: 'text' | 'caption'): ParsedText {
  const raw = p.str(key) ?? '';
  const mode = (p.str('parse_mode') ?? '').toLowerCase();
  if (mode === 'html') {
    try {
      return parseHtml(raw);
    } catch (err) {
      if (err instanceof EntityParseError) throw badRequest(`can't parse entities: ${err.message}`);
      throw err;
    }
  }
  if (mode) throw badRequest(`unsupported parse_mode ${mode} in this fake`);
  const entities = p.json<MessageEntity[]>(key === 'text' ? 'entities' : 'caption_entities') ?? [];
  return { text: raw, entities };
}

function same(text: string, entities: readonly MessageEntity[] | undefined, next: ParsedText): boolean {
  return text === next.text && JSON.stringify(entities ?? []) === JSON.stringify(next.entities);
}

function notModified(): ApiError {
  return badRequest(
    'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  );
}

function named(f: UploadedFile): { bytes: Uint8Array; name: string; mime: string } {
  return { bytes: f.bytes, name: f.name, mime: f.type || 'application/octet-stream' };
}
