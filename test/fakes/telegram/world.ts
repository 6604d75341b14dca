/**
 * What the fake Telegram knows: chats, users, messages, files and the update queue, plus the
 * test controls that make users talk (`userSays`, `userEdits`, topics, files).
 */
import type { Chat, Message, MessageEntity, PhotoSize, Sticker, Update, User } from 'node-telegram-bot-api';

export interface StoredFile {
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly file_path: string;
  readonly size: number;
  readonly name?: string;
  readonly mime?: string;
  /** Missing for files declared only by size (e.g. a 30 MB upload a test does not need bytes of). */
  readonly bytes?: Uint8Array;
}

export interface StoredMessage {
  message: Message;
  readonly fromBot: boolean;
  /** The HTML (or plain text) the bot sent, last version. */
  html?: string;
  file?: StoredFile;
  deleted: boolean;
  edits: number;
}

/** A file a user posts: bytes, or only a declared size. */
export interface FileSpec {
  readonly bytes?: Uint8Array;
  readonly size?: number;
  readonly name?: string;
  readonly mime?: string;
}

export interface SayOptions {
  readonly from?: User;
  readonly sender_chat?: Chat;
  readonly entities?: MessageEntity[];
  readonly reply_to?: number;
  /** Forum topic (message_thread_id). */
  readonly thread?: number;
  readonly photo?: FileSpec;
  readonly document?: FileSpec;
  readonly voice?: FileSpec;
  readonly video?: FileSpec;
  readonly sticker?: FileSpec & { readonly emoji?: string; readonly animated?: boolean; readonly video?: boolean };
  readonly caption?: string;
  readonly caption_entities?: MessageEntity[];
  /** Post as a channel post (chat must be a channel). */
  readonly channel?: boolean;
}

export class World {
  readonly chats = new Map<number, Chat>();
  readonly messages = new Map<number, Map<number, StoredMessage>>();
  readonly files = new Map<string, StoredFile>();
  readonly topics = new Map<number, Set<number>>();
  /** Every user the world made, by id. */
  readonly users = new Map<number, User>();
  /** Who owns or administers each chat (everyone else in a group is a plain member). */
  readonly roles = new Map<number, Map<number, 'creator' | 'administrator'>>();
  /** Updates not yet confirmed (getUpdates offset) or delivered (webhook). */
  pending: Update[] = [];
  private nextUpdateId = 500_000;
  private nextUserId = 1000;
  private nextChatId = 1;
  private nextFileId = 1;
  private clock = 1_700_000_000;
  private readonly nextMessageId = new Map<number, number>();
  readonly alice: User;

  constructor(
    readonly me: User,
    private readonly onUpdate: () => void,
  ) {
    this.alice = this.user({ first_name: 'Alice', last_name: 'Liddell', username: 'alice' });
  }

  now(): number {
    return ++this.clock;
  }

  user(spec: Partial<User> = {}): User {
    const user: User = { id: this.nextUserId++, is_bot: false, first_name: 'User', ...spec };
    this.users.set(user.id, user);
    return user;
  }

  /** Makes `user` the creator or an administrator of a chat. */
  promote(chatId: number, user: User, role: 'creator' | 'administrator' = 'administrator'): void {
    this.roles.set(chatId, (this.roles.get(chatId) ?? new Map<number, 'creator' | 'administrator'>()).set(user.id, role));
  }

  chat(spec: Partial<Chat> & { type: string }): Chat {
    const id = spec.id ?? (spec.type === 'group' ? -this.nextChatId++ : -1_000_000_000_000 - this.nextChatId++);
    const chat: Chat = { ...spec, id };
    this.chats.set(id, chat);
    this.messages.set(id, new Map());
    return chat;
  }

  group(title = 'Group'): Chat {
    return this.chat({ type: 'supergroup', title });
  }

  forum(title = 'Forum'): Chat {
    return this.chat({ type: 'supergroup', title, is_forum: true });
  }

  privateChat(user: User): Chat {
    return this.chat({
      type: 'private',
      id: user.id,
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
    });
  }

  /** Creates a forum topic (its service message is an update, as in Telegram); returns its thread id. */
  topic(chatId: number, name: string, from: User = this.alice): number {
    const chat = this.chatOf(chatId);
    const id = this.messageId(chatId);
    const message: Message = {
      message_id: id,
      message_thread_id: id,
      date: this.now(),
      chat,
      from,
      is_topic_message: true,
      forum_topic_created: { name, icon_color: 7322096 },
    };
    this.topics.set(chatId, (this.topics.get(chatId) ?? new Set()).add(id));
    this.store(message, false);
    this.enqueue({ message });
    return id;
  }

  chatOf(chatId: number): Chat {
    const chat = this.chats.get(chatId);
    if (!chat) throw new Error(`fake telegram: no chat ${chatId}`);
    return chat;
  }

  messageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  find(chatId: number, messageId: number): StoredMessage | undefined {
    const m = this.messages.get(chatId)?.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  store(message: Message, fromBot: boolean, extra: Partial<StoredMessage> = {}): StoredMessage {
    const stored: StoredMessage = { message, fromBot, deleted: false, edits: 0, ...extra };
    this.messages.get(message.chat.id)?.set(message.message_id, stored);
    return stored;
  }

  /** Adds an update to the queue (update_id assigned here). */
  enqueue(payload: { message: Message } | { edited_message: Message } | { channel_post: Message }): Update {
    const update = { update_id: this.nextUpdateId++, ...payload } as Update;
    this.pending.push(update);
    this.onUpdate();
    return update;
  }

  addFile(spec: FileSpec, kind: string): StoredFile {
    const n = this.nextFileId++;
    const file: StoredFile = {
      file_id: `${kind}-file-${n}`,
      file_unique_id: `u${n}`,
      file_path: `${kind}s/file_${n}${extOf(spec.name)}`,
      size: spec.size ?? spec.bytes?.byteLength ?? 0,
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.mime ? { mime: spec.mime } : {}),
      ...(spec.bytes ? { bytes: spec.bytes } : {}),
    };
    this.files.set(file.file_id, file);
    return file;
  }

  userSays(chatId: number, text: string | undefined, opts: SayOptions = {}): Message {
    const chat = this.chatOf(chatId);
    const message: Message = {
      message_id: this.messageId(chatId),
      date: this.now(),
      chat,
      ...(opts.channel ? { sender_chat: chat } : { from: opts.from ?? this.alice }),
      ...(opts.sender_chat ? { sender_chat: opts.sender_chat } : {}),
      ...(text ? { text, ...(opts.entities ? { entities: opts.entities } : {}) } : {}),
      ...(opts.caption ? { caption: opts.caption } : {}),
      ...(opts.caption_entities ? { caption_entities: opts.caption_entities } : {}),
      ...this.media(opts),
    };
    if (opts.thread !== undefined) {
      if (!this.topics.get(chatId)?.has(opts.thread)) throw new Error(`fake telegram: no topic ${opts.thread}`);
      message.message_thread_id = opts.thread;
      message.is_topic_message = true;
    }
    const replyId = opts.reply_to ?? opts.thread;
    const replied = replyId === undefined ? undefined : this.find(chatId, replyId);
    if (replyId !== undefined && !replied) throw new Error(`fake telegram: no message ${replyId} to reply to`);
    if (replied) message.reply_to_message = withoutReply(replied.message);
    this.store(message, message.from?.id === this.me.id);
    this.enqueue(opts.channel ? { channel_post: message } : { message });
    return message;
  }

  userEdits(chatId: number, messageId: number, text: string, entities?: MessageEntity[]): Message {
    const stored = this.find(chatId, messageId);
    if (!stored) throw new Error(`fake telegram: no message ${messageId} in ${chatId}`);
    const m: Message = { ...stored.message, edit_date: this.now() };
    if (m.text !== undefined) {
      m.text = text;
      if (entities) m.entities = entities;
      else delete m.entities;
    } else {
      m.caption = text;
      if (entities) m.caption_entities = entities;
      else delete m.caption_entities;
    }
    stored.message = m;
    this.enqueue({ edited_message: m });
    return m;
  }

  private media(opts: SayOptions): Partial<Message> {
    const out: Partial<Message> = {};
    if (opts.photo) {
      const f = this.addFile({ ...opts.photo, name: opts.photo.name ?? 'photo.jpg' }, 'photo');
      const thumb = this.addFile({ bytes: new Uint8Array(8) }, 'photo');
      out.photo = [photoSize(thumb, 90, 60), photoSize(f, 1280, 853)];
    }
    if (opts.document) {
      const f = this.addFile(opts.document, 'document');
      out.document = {
        file_id: f.file_id,
        file_unique_id: f.file_unique_id,
        file_size: f.size,
        ...(opts.document.name ? { file_name: opts.document.name } : {}),
        ...(opts.document.mime ? { mime_type: opts.document.mime } : {}),
      };
    }
    if (opts.voice) {
      const f = this.addFile(opts.voice, 'voice');
      out.voice = { file_id: f.file_id, file_unique_id: f.file_unique_id, duration: 3, mime_type: 'audio/ogg', file_size: f.size };
    }
    if (opts.video) {
      const f = this.addFile(opts.video, 'video');
      out.video = {
        file_id: f.file_id,
        file_unique_id: f.file_unique_id,
        width: 640,
        height: 360,
        duration: 5,
        mime_type: opts.video.mime ?? 'video/mp4',
        file_size: f.size,
        ...(opts.video.name ? { file_name: opts.video.name } : {}),
      };
    }
    if (opts.sticker) {
      const s = opts.sticker;
      const f = this.addFile(s, 'sticker');
      const sticker: Sticker = {
        file_id: f.file_id,
        file_unique_id: f.file_unique_id,
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: s.animated ?? false,
        is_video: s.video ?? false,
        file_size: f.size,
        ...(s.emoji ? { emoji: s.emoji } : {}),
      };
      out.sticker = sticker;
    }
    return out;
  }
}

function photoSize(f: StoredFile, width: number, height: number): PhotoSize {
  return { file_id: f.file_id, file_unique_id: f.file_unique_id, width, height, file_size: f.size };
}

function withoutReply(m: Message): Message {
  const copy = { ...m };
  delete copy.reply_to_message;
  return copy;
}

function extOf(name?: string): string {
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(name ?? '');
  return m ? m[0] : '';
}
