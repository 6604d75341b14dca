/**
 * Events the fake workspace emits, typed against @slack/types / @slack/bolt: message payloads,
 * the `event_callback` envelope, slash commands; and the signed HTTP delivery Slack makes
 * (x-slack-signature = v0= HMAC-SHA256 of `v0:<ts>:<body>`, x-slack-retry-num on redelivery).
 */
import { createHmac } from 'node:crypto';
import type { EnvelopedEvent, SlashCommand } from '@slack/bolt';
import type {
  AppMentionEvent,
  BotMessageEvent,
  ChannelJoinMessageEvent,
  FileShareMessageEvent,
  GenericMessageEvent,
  MeMessageEvent,
  MessageChangedEvent,
  MessageDeletedEvent,
  SlackEvent,
} from '@slack/types';
import type { ChannelKind, SlackFileObject, SlackState } from './state.js';

type ChannelType = GenericMessageEvent['channel_type'];

export class EventFactory {
  constructor(
    private readonly s: SlackState,
    private readonly signingSecret: string,
  ) {}

  private type(channel: string): ChannelType {
    const kind: ChannelKind = this.s.channels.get(channel)?.kind ?? 'channel';
    return kind;
  }

  message(o: { channel: string; user: string; text: string; ts?: string; thread_ts?: string }): GenericMessageEvent {
    const ts = o.ts ?? this.s.nextTs();
    return {
      type: 'message',
      subtype: undefined,
      channel: o.channel,
      channel_type: this.type(o.channel),
      user: o.user,
      text: o.text,
      ts,
      event_ts: ts,
      team: this.s.team.id,
      client_msg_id: `${ts}-client`,
      ...(o.thread_ts ? { thread_ts: o.thread_ts, parent_user_id: o.user } : {}),
    };
  }

  fileShare(o: { channel: string; user: string; text?: string; files: SlackFileObject[]; thread_ts?: string }): FileShareMessageEvent {
    const ts = this.s.nextTs();
    return {
      type: 'message',
      subtype: 'file_share',
      channel: o.channel,
      channel_type: this.type(o.channel),
      user: o.user,
      text: o.text ?? '',
      files: o.files,
      upload: true,
      display_as_bot: false,
      ts,
      event_ts: ts,
      ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}),
    };
  }

  me(o: { channel: string; user: string; text: string }): MeMessageEvent {
    const ts = this.s.nextTs();
    return { type: 'message', subtype: 'me_message', channel: o.channel, channel_type: this.type(o.channel), user: o.user, text: o.text, ts, event_ts: ts };
  }

  botMessage(o: { channel: string; bot_id: string; username?: string; text: string; icon?: string }): BotMessageEvent {
    const ts = this.s.nextTs();
    return {
      type: 'message',
      subtype: 'bot_message',
      channel: o.channel,
      channel_type: this.type(o.channel),
      bot_id: o.bot_id,
      text: o.text,
      ts,
      event_ts: ts,
      ...(o.username ? { username: o.username } : {}),
      ...(o.icon ? { icons: { image_48: o.icon, image_72: o.icon } } : {}),
    };
  }

  changed(original: GenericMessageEvent, text: string): MessageChangedEvent {
    const ts = this.s.nextTs();
    const edited: GenericMessageEvent = { ...original, text, edited: { user: original.user, ts } };
    return {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: original.channel,
      channel_type: original.channel_type,
      ts,
      event_ts: ts,
      message: edited,
      previous_message: original,
    };
  }

  deleted(original: GenericMessageEvent | BotMessageEvent): MessageDeletedEvent {
    const ts = this.s.nextTs();
    return {
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: original.channel,
      channel_type: original.channel_type,
      ts,
      event_ts: ts,
      deleted_ts: original.ts,
      previous_message: original,
    };
  }

  join(o: { channel: string; user: string }): ChannelJoinMessageEvent {
    const ts = this.s.nextTs();
    return {
      type: 'message',
      subtype: 'channel_join',
      team: this.s.team.id,
      user: o.user,
      inviter: o.user,
      channel: o.channel,
      channel_type: this.type(o.channel),
      text: `<@${o.user}> has joined the channel`,
      ts,
      event_ts: ts,
    };
  }

  appMention(from: GenericMessageEvent): AppMentionEvent {
    return {
      type: 'app_mention',
      user: from.user,
      text: from.text ?? '',
      ts: from.ts,
      channel: from.channel,
      event_ts: from.event_ts,
      ...(from.thread_ts ? { thread_ts: from.thread_ts } : {}),
    };
  }

  /** The `event_callback` envelope Slack wraps every event in. */
  envelope<E extends SlackEvent>(event: E, eventId = this.s.nextId('Ev')): EnvelopedEvent<E> {
    return {
      token: 'legacy-verification-token',
      team_id: this.s.team.id,
      api_app_id: this.s.bot.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: this.s.team.id, user_id: this.s.bot.userId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
  }

  slashCommand(o: { channel: string; user: string; text: string; command?: string }): SlashCommand {
    const u = this.s.users.get(o.user);
    return {
      token: 'legacy-verification-token',
      command: o.command ?? '/sameroom',
      text: o.text,
      response_url: `https://hooks.slack.com/commands/${this.s.team.id}/1/x`,
      trigger_id: this.s.nextId('trigger.'),
      user_id: o.user,
      user_name: u?.name ?? o.user,
      team_id: this.s.team.id,
      team_domain: this.s.team.domain,
      channel_id: o.channel,
      channel_name: this.s.channels.get(o.channel)?.name ?? 'unknown',
      api_app_id: this.s.bot.appId,
    };
  }

  /** Headers Slack signs a request with. */
  sign(raw: string, o: { secret?: string; timestamp?: number } = {}): Record<string, string> {
    const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', o.secret ?? this.signingSecret).update(`v0:${ts}:${raw}`).digest('hex');
    return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${sig}` };
  }
}

export interface DeliveryOptions {
  /** Sign with another secret (a forgery). */
  readonly secret?: string;
  /** Signature timestamp, seconds (a stale one to test replay protection). */
  readonly timestamp?: number;
  /** A redelivery: sets x-slack-retry-num / x-slack-retry-reason. */
  readonly retryNum?: number;
  /** Change the body after signing (tampering). */
  readonly tamper?: (raw: string) => string;
}

export interface DeliveryResult {
  readonly status: number;
  readonly text: string;
}

/** POST a body to the bridge as Slack does (JSON for events, form-urlencoded for commands). */
export async function deliver(
  events: EventFactory,
  url: string,
  raw: string,
  contentType: string,
  o: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...events.sign(raw, o),
    ...(o.retryNum ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
  };
  const res = await fetch(url, { method: 'POST', headers, body: o.tamper ? o.tamper(raw) : raw });
  return { status: res.status, text: await res.text() };
}
