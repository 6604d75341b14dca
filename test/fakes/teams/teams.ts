/**
 * The Teams side of the fake: builds activities shaped like the ones Teams sends (checked against
 * the Teams docs: message, messageUpdate/editMessage, messageDelete/softDeleteMessage, mention
 * entities, the `text/html` attachment, file download info) and POSTs them to the bot's
 * messaging endpoint with `serviceUrl` pointing at the fake connector — signed with the fake's
 * key when the bot has an app id, as Bot Framework does.
 */
import { randomUUID } from 'node:crypto';
import type { Activity, Attachment, ChannelAccount, Entity } from '@microsoft/agents-activity';
import { FakeTeamsConnector, type FakeConversation } from './connector.js';

export interface TeamsUser extends ChannelAccount {
  readonly aadObjectId: string;
}

export interface MessageOptions {
  /** Plain text; `mention: true` prefixes `<at>Bot</at> `. */
  readonly text?: string;
  /** The rich text as Teams puts it in the `text/html` attachment (the mention span is added too). */
  readonly html?: string;
  readonly mention?: boolean;
  /** Channel thread root: the message is a reply in that thread. */
  readonly thread?: string;
  readonly attachments?: Attachment[];
  readonly textFormat?: string;
}

export interface Delivery {
  readonly status: number;
  readonly body: string;
}

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export function teamsUser(name: string): TeamsUser {
  return { id: `29:${randomUUID()}`, name, aadObjectId: randomUUID() };
}

export class FakeTeams {
  readonly bot: ChannelAccount;

  private constructor(
    readonly connector: FakeTeamsConnector,
    botName: string,
  ) {
    this.bot = { id: `28:${connector.appId || 'a1b2c3d4-0000-4000-8000-000000000001'}`, name: botName };
  }

  /** Start the fake connector; `appId` makes it an authenticated Bot Framework (signed requests). */
  static async start(opts: { appId?: string; botName?: string } = {}): Promise<FakeTeams> {
    return new FakeTeams(await FakeTeamsConnector.start({ appId: opts.appId ?? '' }), opts.botName ?? 'Sameroom');
  }

  /** Where the bot listens (`http://127.0.0.1:P/api/messages`); set before delivering. */
  botEndpoint = '';

  async close(): Promise<void> {
    await this.connector.close();
  }

  /** A channel of a new team, or of the team of `sibling` (the team id is its General channel's id, as in Teams). */
  channel(name = 'General', opts: { teamName?: string; sibling?: FakeConversation } = {}): FakeConversation {
    const teamId = opts.sibling?.teamId ?? `19:${randomUUID().replace(/-/g, '')}@thread.tacv2`;
    const teamName = opts.sibling?.teamName ?? opts.teamName ?? 'Contoso';
    const id = name === 'General' ? teamId : `19:${randomUUID().replace(/-/g, '')}@thread.tacv2`;
    return this.connector.addConversation({ id, kind: 'channel', tenantId: TENANT_ID, teamId, teamName, name });
  }

  groupChat(name = 'Planning'): FakeConversation {
    return this.connector.addConversation({ id: `19:${randomUUID().replace(/-/g, '')}@thread.v2`, kind: 'groupChat', tenantId: TENANT_ID, name });
  }

  personal(): FakeConversation {
    return this.connector.addConversation({ id: `a:1${randomUUID().replace(/-/g, '')}`, kind: 'personal', tenantId: TENANT_ID });
  }

  private envelope(conv: FakeConversation, from: ChannelAccount, type: string, id: string, thread?: string): Partial<Activity> {
    const root = conv.kind === 'channel' ? (thread ?? id) : undefined;
    return {
      type,
      id,
      timestamp: new Date(),
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      from,
      recipient: this.bot,
      conversation: {
        id: root ? `${conv.id};messageid=${root}` : conv.id,
        conversationType: conv.kind,
        isGroup: conv.kind !== 'personal',
        tenantId: conv.tenantId,
        name: '',
      },
      channelData: {
        tenant: { id: conv.tenantId },
        ...(conv.teamId ? { team: { id: conv.teamId }, channel: { id: conv.id } } : {}),
      },
      ...(thread ? { replyToId: thread } : {}),
    };
  }

  /** A message from a user, recorded in the conversation (so the bot may reply to it). */
  message(conv: FakeConversation, from: ChannelAccount, opts: MessageOptions = {}): Partial<Activity> {
    const id = this.connector.nextId();
    const mentionTag = `<at>${this.bot.name}</at>`;
    const entities: Entity[] = [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' }];
    if (opts.mention) entities.push({ type: 'mention', mentioned: { id: this.bot.id, name: this.bot.name }, text: mentionTag });
    const attachments: Attachment[] = [...(opts.attachments ?? [])];
    if (opts.html !== undefined) {
      const span = `<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">${this.bot.name}</span>&nbsp;`;
      attachments.unshift({ contentType: 'text/html', content: `<div><div>${opts.mention ? span : ''}${opts.html}</div>\n</div>` });
    }
    const activity: Partial<Activity> = {
      ...this.envelope(conv, from, 'message', id, opts.thread),
      text: `${opts.mention ? `${mentionTag} ` : ''}${opts.text ?? ''}`,
      textFormat: opts.textFormat ?? 'plain',
      entities,
      ...(attachments.length ? { attachments } : {}),
      locale: 'en-US',
    };
    this.connector.record(conv, activity, conv.kind === 'channel' ? (opts.thread ?? id) : undefined, false);
    return activity;
  }

  /** Teams' edit notification: `messageUpdate` with channelData.eventType `editMessage`. */
  edit(conv: FakeConversation, original: Partial<Activity>, text: string): Partial<Activity> {
    const thread = original.replyToId;
    const base = this.envelope(conv, original.from as ChannelAccount, 'messageUpdate', original.id ?? '', thread);
    return { ...base, text, textFormat: 'plain', channelData: { ...base.channelData, eventType: 'editMessage' } };
  }

  /** Teams' delete notification: `messageDelete` with channelData.eventType `softDeleteMessage`. */
  remove(conv: FakeConversation, original: Partial<Activity>): Partial<Activity> {
    const base = this.envelope(conv, original.from as ChannelAccount, 'messageDelete', original.id ?? '', original.replyToId);
    return { ...base, channelData: { ...base.channelData, eventType: 'softDeleteMessage' } };
  }

  /** A file shared in the message (Teams file download info; bytes behind a pre-authenticated URL). */
  fileAttachment(name: string, bytes: Uint8Array): Attachment {
    const downloadUrl = this.connector.addFile(bytes);
    const fileType = name.split('.').pop() ?? '';
    return {
      contentType: 'application/vnd.microsoft.teams.file.download.info',
      contentUrl: `https://contoso.sharepoint.com/sites/team/Shared%20Documents/${encodeURIComponent(name)}`,
      name,
      content: { downloadUrl, uniqueId: randomUUID(), fileType },
    };
  }

  /** An image pasted into a chat: hosted by the connector, needs the bot's token. */
  imageAttachment(bytes: Uint8Array, contentType = 'image/*'): Attachment {
    return { contentType, contentUrl: this.connector.addImage(bytes) };
  }

  /**
   * POST an activity to the bot. With an app id, it carries a token signed by the fake's key
   * (pass `token: null` for none, or a string to send that instead).
   */
  async deliver(activity: Partial<Activity>, opts: { token?: string | null } = {}): Promise<Delivery> {
    if (!this.botEndpoint) throw new Error('FakeTeams.botEndpoint is not set');
    const token =
      opts.token !== undefined ? opts.token : this.connector.appId ? this.connector.signingKey.sign({ aud: this.connector.appId, serviceurl: activity.serviceUrl }) : null;
    const res = await fetch(this.botEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(activity),
    });
    return { status: res.status, body: await res.text() };
  }
}
