/**
 * Configuration and authentication: an empty app id is refused unless explicitly allowed, and
 * with an app id every request must carry a Bot Framework token (checked by the real SDK
 * against the fake's OpenID metadata and signing key).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTeamsBot, TeamsConfigError, teamsConfigFromEnv } from '../../bots/teams/index.js';
import { createHarness, type Harness } from '../helpers/bot-harness.js';
import { SigningKey } from '../fakes/teams/jwt.js';
import { FakeTeams, teamsUser } from '../fakes/teams/teams.js';
import { APP_ID, startRig, type TeamsRig } from './setup.js';

let rig: TeamsRig | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await rig?.close();
  await harness?.close();
  rig = undefined;
  harness = undefined;
});

describe('configuration', () => {
  it('refuses an empty app id without TEAMS_ALLOW_UNAUTHENTICATED, and serves no endpoint', async () => {
    harness = createHarness();
    const bot = createTeamsBot({ appId: '' });
    await expect(bot.start(harness.ctx)).rejects.toThrow(TeamsConfigError);
    await expect(bot.start(harness.ctx)).rejects.toThrow(/TEAMS_ALLOW_UNAUTHENTICATED/);
    const url = await harness.listen();
    expect((await fetch(`${url}/api/messages`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });

  it('refuses an app id without a password', async () => {
    harness = createHarness();
    await expect(createTeamsBot({ appId: APP_ID }).start(harness.ctx)).rejects.toThrow(/TEAMS_APP_PASSWORD/);
  });

  it('with TEAMS_ALLOW_UNAUTHENTICATED=true it starts, and logs a warning', async () => {
    harness = createHarness();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const bot = createTeamsBot({ appId: '', allowUnauthenticated: true });
    await bot.start({ ...harness.ctx, log: pino({ level: 'warn' }, sink) });
    await bot.stop();
    expect(lines.join('')).toMatch(/"level":40.*NOT authenticated/);
  });

  it.each([
    ['nothing set', {}, undefined],
    ['app id and password', { TEAMS_APP_ID: 'id', TEAMS_APP_PASSWORD: 'pw' }, { appId: 'id', appPassword: 'pw' }],
    ['single tenant', { TEAMS_APP_ID: 'id', TEAMS_APP_PASSWORD: 'pw', TEAMS_APP_TENANT_ID: 'ten' }, { appId: 'id', appPassword: 'pw', tenantId: 'ten' }],
    ['unauthenticated mode', { TEAMS_ALLOW_UNAUTHENTICATED: 'true' }, { appId: '', allowUnauthenticated: true }],
    ['a password alone still yields a config (start refuses it loudly)', { TEAMS_APP_PASSWORD: 'pw' }, { appId: '', appPassword: 'pw' }],
    ['TEAMS_ALLOW_UNAUTHENTICATED other than true is off', { TEAMS_ALLOW_UNAUTHENTICATED: 'yes' }, undefined],
  ] as const)('teamsConfigFromEnv: %s', (_name, env, expected) => {
    expect(teamsConfigFromEnv(env)).toEqual(expected);
  });
});

describe('authenticated requests (app id set)', () => {
  async function authRig(): Promise<TeamsRig> {
    rig = await startRig({ appId: APP_ID });
    return rig;
  }

  it('an unauthenticated POST /api/messages is rejected with 401 and nothing is ingested', async () => {
    const r = await authRig();
    const msg = r.fake.message(r.fake.channel(), r.alice, { text: 'sneaky', mention: true });
    expect((await r.fake.deliver(msg, { token: null })).status).toBe(401);
    expect(r.h.events).toEqual([]);
    expect(r.h.state.size).toBe(0);
  });

  it('a request signed by Bot Framework (the fake) is accepted', async () => {
    const r = await authRig();
    const msg = r.fake.message(r.fake.channel(), r.alice, { text: 'legit', mention: true });
    expect((await r.fake.deliver(msg)).status).toBe(200);
    expect(r.h.events).toMatchObject([{ kind: 'post', text: 'legit' }]);
  });

  it('a token signed by another key is rejected', async () => {
    const r = await authRig();
    const forged = new SigningKey().sign({ aud: APP_ID, serviceurl: r.fake.connector.url });
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'forged' });
    expect((await r.fake.deliver(msg, { token: forged })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('a token for another bot (audience) is rejected', async () => {
    const r = await authRig();
    const other = r.fake.connector.signingKey.sign({ aud: 'another-app-id', serviceurl: r.fake.connector.url });
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'not for you' });
    expect((await r.fake.deliver(msg, { token: other })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('a token whose serviceurl claim differs from the activity is rejected', async () => {
    const r = await authRig();
    const token = r.fake.connector.signingKey.sign({ aud: APP_ID, serviceurl: 'https://evil.example.com/' });
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'redirected' });
    expect((await r.fake.deliver(msg, { token })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('an expired token is rejected', async () => {
    const r = await authRig();
    const expired = r.fake.connector.signingKey.sign({ aud: APP_ID, serviceurl: r.fake.connector.url }, -3600);
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'old' });
    expect((await r.fake.deliver(msg, { token: expired })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('a token from another issuer is rejected', async () => {
    const r = await authRig();
    const token = r.fake.connector.signingKey.sign({ aud: APP_ID, serviceurl: r.fake.connector.url, iss: 'https://sts.windows.net/evil/' });
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'elsewhere' });
    expect((await r.fake.deliver(msg, { token })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('a token without a serviceurl claim is rejected', async () => {
    const r = await authRig();
    const token = r.fake.connector.signingKey.sign({ aud: APP_ID });
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'no claim' });
    expect((await r.fake.deliver(msg, { token })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it("a key not endorsed for the activity's channel is rejected (the fake's key is endorsed for msteams)", async () => {
    const r = await authRig();
    const msg = { ...r.fake.message(r.fake.groupChat(), r.alice, { text: 'from webchat' }), channelId: 'webchat' };
    expect((await r.fake.deliver(msg)).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('a malformed Authorization header is rejected', async () => {
    const r = await authRig();
    const msg = r.fake.message(r.fake.groupChat(), r.alice, { text: 'x' });
    expect((await r.fake.deliver(msg, { token: 'not.a.jwt' })).status).toBe(401);
    expect(r.h.events).toEqual([]);
  });

  it('when the signing keys cannot be read: 503 (Bot Framework retries), nothing ingested; then it recovers', async () => {
    const fake = await FakeTeams.start({ appId: APP_ID });
    // Bot Framework's metadata document and key list, each down until the test brings it up.
    const up = { metadata: false, keys: false };
    let base = '';
    const server = createServer((request, response) => {
      const json = (body: unknown): void => void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/openid' && up.metadata) json({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys` });
      else if (request.url === '/keys' && up.keys) json({ keys: [fake.connector.signingKey.jwk()] });
      else response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    harness = createHarness();
    const bot = createTeamsBot({ appId: APP_ID, appPassword: 'not-a-real-secret', openIdMetadataUrl: `${base}/openid` });
    await bot.start(harness.ctx);
    fake.botEndpoint = `${await harness.listen()}/api/messages`;
    try {
      const chat = fake.groupChat();
      const alice = teamsUser('Alice');
      expect((await fake.deliver(fake.message(chat, alice, { text: 'no metadata' }))).status).toBe(503);
      up.metadata = true;
      expect((await fake.deliver(fake.message(chat, alice, { text: 'no keys' }))).status).toBe(503);
      expect(harness.events).toEqual([]);
      up.keys = true;
      expect((await fake.deliver(fake.message(chat, alice, { text: 'later' }))).status).toBe(200);
      expect(harness.events).toMatchObject([{ kind: 'post', text: 'later' }]);
    } finally {
      await bot.stop();
      server.close();
      await fake.close();
    }
  });
});
