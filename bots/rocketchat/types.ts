/**
 * The slice of the Rocket.Chat REST API (v1) and realtime API (DDP) the bot uses
 * (developer.rocket.chat; IMessage in @rocket.chat/core-typings). DDP sends dates as EJSON
 * `{ $date: ms }`; REST sends ISO strings.
 */

export type RcDate = { readonly $date: number } | string;

export interface RcUserRef {
  readonly _id: string;
  readonly username: string;
  readonly name?: string;
}

export interface RcFileRef {
  readonly _id: string;
  readonly name: string;
  readonly type?: string;
  readonly size?: number;
}

export interface RcAttachment {
  readonly type?: string;
  readonly title?: string;
  readonly title_link?: string;
  readonly image_url?: string;
  readonly image_type?: string;
  readonly image_size?: number;
  readonly description?: string;
}

export interface RcMessage {
  readonly _id: string;
  readonly rid: string;
  readonly msg: string;
  readonly ts?: RcDate;
  readonly u: RcUserRef;
  readonly _updatedAt?: RcDate;
  /** A system message type (`uj`, `rm`, …); absent for people's messages. */
  readonly t?: string;
  readonly tmid?: string;
  readonly alias?: string;
  readonly avatar?: string;
  readonly editedAt?: RcDate;
  readonly editedBy?: RcUserRef;
  readonly file?: RcFileRef;
  readonly files?: RcFileRef[];
  readonly attachments?: RcAttachment[];
  readonly _hidden?: boolean;
}

/** A DDP frame (server → client or client → server). */
export interface DdpFrame {
  readonly msg?: string;
  readonly id?: string;
  readonly collection?: string;
  readonly fields?: { readonly eventName?: string; readonly args?: unknown[] };
  readonly result?: unknown;
  readonly error?: unknown;
  readonly subs?: string[];
}

export { isRecord, str } from '../shared/json.js';

export function dateMs(d: RcDate | undefined): number | undefined {
  if (d === undefined) return undefined;
  if (typeof d === 'string') {
    const t = Date.parse(d);
    return Number.isNaN(t) ? undefined : t;
  }
  return d.$date;
}
