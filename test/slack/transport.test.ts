/**
 * Transport specifics: Events API request verification on the bridge's HTTP server, and Socket
 * Mode acks / redeliveries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './rig.js';

describe('Slack Events API over HTTP', () => {
  let rig: Rig;
  let url: string;
  beforeEach(async () => {
    rig = await startRig('http');
    url = `${rig.harness.url()}/slack/events`;
  });
  afterEach(async () => {
    await rig.close();
  });

  const envelope = (text: string) => rig.fake.events.envelope(rig.fake.events.message({ channel: 'C1', user: 'U1', text }));

  it('answers the url_verification challenge', async () => {
    const res = await rig.fake.postEvent(url, { token: 't', challenge: 'chal-123', type: 'url_verification' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: 'chal-123' });
  });

  it('refuses forged, stale, tampered and unsigned requests with 401 and ingests nothing', async () => {
    const forged = await rig.fake.postEvent(url, envelope('forged'), { secret: 'not-the-secret' });
    const stale = await rig.fake.postEvent(url, envelope('stale'), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const tampered = await rig.fake.postEvent(url, envelope('tampered'), { tamper: (raw) => raw.replace('tampered', 'tampere!') });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope('unsigned')) });
    const challenge = await rig.fake.postEvent(url, { type: 'url_verification', challenge: 'x' }, { secret: 'nope' });
    expect([forged.status, stale.status, tampered.status, unsigned.status, challenge.status]).toEqual([401, 401, 401, 401, 401]);
    const cmd = rig.fake.events.slashCommand({ channel: 'C1', user: 'U1', text: 'open' });
    const forgedCmd = await rig.fake.postCommand(`${rig.harness.url()}/slack/commands`, cmd, { secret: 'nope' });
    expect(forgedCmd.status).toBe(401);

    await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'marker' }));
    await rig.harness.waitFor((e) => e.kind === 'post');
    expect(rig.harness.events).toHaveLength(1);
  });

  it('accepts a signature a little in the future (clock skew under 5 minutes)', async () => {
    const res = await rig.fake.postEvent(url, envelope('skewed'), { timestamp: Math.floor(Date.now() / 1000) + 120 });
    expect(res.status).toBe(200);
    await rig.harness.waitFor((e) => e.kind === 'post');
  });

  it('answers 503 once the bot is stopped', async () => {
    await rig.bot.stop();
    const res = await rig.fake.postEvent(url, envelope('late'));
    expect(res.status).toBe(503);
  });
});

describe('Slack Socket Mode', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig('socket');
  });
  afterEach(async () => {
    await rig.close();
  });

  it('connects through apps.connections.open with the app token and acks each envelope by id', async () => {
    expect(rig.fake.calls('apps.connections.open')).toHaveLength(1);
    const env = rig.fake.events.envelope(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'hi' }));
    const ack = await rig.fake.sendEnvelope('events_api', env, { envelopeId: 'env-1' });
    expect(ack.envelope_id).toBe('env-1');
    await rig.harness.waitFor((e) => e.kind === 'post');
  });

  it('acks a redelivered envelope again but ingests it once', async () => {
    const env = rig.fake.events.envelope(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'again' }), 'EvSame');
    await rig.fake.sendEnvelope('events_api', env, { envelopeId: 'a' });
    await rig.fake.sendEnvelope('events_api', env, { envelopeId: 'b', retryAttempt: 1, retryReason: 'timeout' });
    await rig.event(rig.fake.events.message({ channel: 'C1', user: 'U1', text: 'marker' }));
    await rig.harness.waitFor((e) => e.kind === 'post' && e.text === 'marker');
    expect(rig.fake.socketMode.acks.map((a) => a.envelope_id)).toEqual(expect.arrayContaining(['a', 'b']));
    expect(rig.harness.events.filter((e) => e.kind === 'post' && e.text === 'again')).toHaveLength(1);
  });

  it('acks a slash_commands envelope', async () => {
    const cmd = rig.fake.events.slashCommand({ channel: 'D1', user: 'U1', text: '' });
    const ack = await rig.fake.sendEnvelope('slash_commands', cmd, { envelopeId: 'cmd-1' });
    expect(ack.envelope_id).toBe('cmd-1');
    expect(await rig.harness.waitFor((e) => e.kind === 'post')).toMatchObject({ text: '-sameroom', room: { channel: 'D1' } });
  });
});
