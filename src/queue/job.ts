/** Delivery jobs: one per target room per event. Serializable (they travel through Redis). */
import type { Author, RemoteMessageId, RoomKey, StoredFile } from '../model.js';

interface JobBase {
  /** unique, sortable: enqueue order */
  readonly id: string;
  readonly target: RoomKey;
  /** when the bridge accepted the inbound event (ms), for latency figures */
  readonly acceptedAt: number;
}

export interface PostJob extends JobBase {
  readonly op: 'post';
  readonly group: string;
  readonly origin: RoomKey;
  readonly author: Author;
  readonly text: string;
  readonly attachments: readonly StoredFile[];
  /** message-map group of the message this one replies to */
  readonly replyToGroup?: string;
  readonly action?: boolean;
}

export interface EditJob extends JobBase {
  readonly op: 'edit';
  readonly group: string;
  readonly origin: RoomKey;
  readonly author: Author;
  readonly text: string;
}

export interface DeleteJob extends JobBase {
  readonly op: 'delete';
  readonly group: string;
}

/** A notice from the bridge itself (security log line, tube news): posted with `say`. */
export interface NoticeJob extends JobBase {
  readonly op: 'notice';
  readonly text: string;
  /** the message it answers (a command), where the platform shows replies */
  readonly replyTo?: RemoteMessageId;
}

export type DeliveryJob = PostJob | EditJob | DeleteJob | NoticeJob;

export interface DeadLetter {
  readonly job: DeliveryJob;
  readonly error: string;
  readonly attempts: number;
  readonly at: number;
}

let seq = 0;
/** A job id that sorts in enqueue order within a process. */
export function jobId(now = Date.now()): string {
  seq = (seq + 1) % 1_000_000;
  return `${now.toString(36).padStart(9, '0')}-${seq.toString(36).padStart(4, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}
