/**
 * Configuration, start-up and shutdown, file downloads, and what the fake enforces against a
 * real WebClient (so a bridge mistake would fail the way Slack fails).
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toDeliveryError } from '../../bots/slack/errors.js';
import { makeDownloader, mayCarryToken } from '../../bots/slack/inbound.js';
import { createSlackBot, slackConfigFromEnv } from '../../bots/slack/index.js';
import { DeliveryError } from '../../src/errors.js';
import { createHarness } from '../helpers/bot-harness.js';
import { FakeSlack } from '../fakes/slack/index.js';
import { seed } from './rig.js';

describe('slackConfigFromEnv', () => {
  it('is undefined without a bot token', () => {
    expect(slackConfigFromEnv({})).toBeUndefined();
  });
  it('reads the Events API and Socket Mode keys and the API base', () => {
    expect(slackConfigFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).toEqual({ botToken: 'xoxb-1', signingSecret: 's' });
    expect(slackConfigFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_API_URL: 'https://slack-gov.com/api/' })).toEqual({
      botToken: 'xoxb-1',
      appToken: 'xapp-1',
      apiUrl: 'https://slack-gov.com/api/',
    });
  });
  it('refuses a bot token that could hear nothing', () => {
    expect(() => slackConfigFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
  });
});

describe('Slack bot lifecycle against the fake', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await FakeSlack.start();
    seed(fake);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('does not start with a bad token, and the error names no token', async () => {
    const harness = createHarness();
    const bot = createSlackBot({ botToken: 'xoxb-wrong', signingSecret: 's', apiUrl: fake.apiUrl });
    const err: unknown = await bot.start(harness.ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ code: 'forbidden', message: 'slack auth.test: invalid_auth' });
    await harness.close();
  });

  it('refuses to run Socket Mode with the bot token in place of the app token', async () => {
    const harness = createHarness();
    const bot = createSlackBot({ botToken: fake.botToken, appToken: fake.botToken, apiUrl: fake.apiUrl, autoReconnect: false });
    await expect(bot.start(harness.ctx)).rejects.toThrow(/not_allowed_token_type/);
    await harness.close(bot);
  });

  it('refuses sends after stop', async () => {
    const harness = createHarness();
    const bot = createSlackBot({ botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl, autoReconnect: false });
    await bot.start(harness.ctx);
    await bot.stop();
    await expect(bot.say({ platform: 'slack', channel: 'C1' }, 'hi')).rejects.toMatchObject({ code: 'unavailable' });
    await harness.close();
  });

  it('downloads url_private only with the token, and notices the sign-in page', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const file = fake.addFile({ name: 'a.bin', mimetype: 'application/octet-stream', bytes, user: 'U1' });
    const url = file.url_private ?? '';
    const harness = createHarness();
    const download = harness.ctx.download;
    expect(await makeDownloader(fake.botToken, fake.apiUrl, download)(url)).toEqual(bytes);
    await expect(makeDownloader('xoxb-other', fake.apiUrl, download)(url)).rejects.toThrow(/sign-in page/);
    await expect(makeDownloader(fake.botToken, fake.apiUrl, download)('https://attacker.example/x')).rejects.toThrow(/foreign host/);
    await harness.close();
  });

  it('enforces the text limit, upload completion and message ownership', async () => {
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const tooLong = await client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }).catch((e: unknown) => e);
    expect(toDeliveryError(tooLong, 'chat.postMessage')).toMatchObject({ code: 'rejected', message: 'slack chat.postMessage: msg_too_long' });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_000) })).resolves.toMatchObject({ ok: true });

    const url = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const id = url.file_id ?? '';
    await expect(client.files.completeUploadExternal({ files: [{ id }], channel_id: 'C1' })).rejects.toThrow(/file_not_found/);
    const put = await fetch(url.upload_url ?? '', { method: 'POST', body: 'abc', headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(200);
    await expect(client.files.completeUploadExternal({ files: [{ id }], channel_id: 'C1' })).resolves.toMatchObject({ ok: true });

    const theirs = fake.events.message({ channel: 'C1', user: 'U1', text: 'mine' });
    fake.state.history('C1').push({ type: 'message', ts: theirs.ts, text: 'mine', user: 'U1' });
    await expect(client.chat.update({ channel: 'C1', ts: theirs.ts, text: 'hijack' })).rejects.toThrow(/cant_update_message/);
    await expect(client.chat.delete({ channel: 'C1', ts: theirs.ts })).rejects.toThrow(/cant_delete_message/);
    await expect(new WebClient('xoxb-bad', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }).auth.test()).rejects.toThrow(/invalid_auth/);
  });

  it("serves the SDK's own filesUploadV2 (multipart to the upload URL)", async () => {
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    await client.filesUploadV2({ channel_id: 'G1', file: Buffer.from('multipart bytes'), filename: 'm.txt', initial_comment: 'hi' });
    const [upload] = [...fake.state.uploads.values()];
    expect(Buffer.from(upload?.bytes ?? []).toString()).toBe('multipart bytes');
    expect(fake.state.completes[0]).toMatchObject({ channel_id: 'G1', initial_comment: 'hi' });
  });

  it('only sends the token to Slack hosts or the configured API host', () => {
    expect(mayCarryToken('https://files.slack.com/files-pri/T1-F1/a.png', 'https://slack.com/api/')).toBe(true);
    expect(mayCarryToken('http://files.slack.com/files-pri/T1-F1/a.png', 'https://slack.com/api/')).toBe(false);
    expect(mayCarryToken('https://files.slack.com.evil.example/a', 'https://slack.com/api/')).toBe(false);
    expect(mayCarryToken(`${fake.url}/files-pri/x/y`, fake.apiUrl)).toBe(true);
  });
});
