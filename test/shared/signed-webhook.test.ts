/** The signed-webhook helper: HMAC check (Slack's documented example) and the routes it guards. */
import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { headerOf, hmacMatches, signedWebhookRoutes } from '../../bots/shared/signed-webhook.js';

// From Slack's "Verifying requests from Slack" page.
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SLACK_TS = '1531420618';
const SLACK_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SLACK_SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('hmacMatches', () => {
  it("accepts Slack's documented example, in parts or whole", () => {
    expect(hmacMatches(SLACK_SECRET, [`v0:${SLACK_TS}:`, Buffer.from(SLACK_BODY)], SLACK_SIG, { prefix: 'v0=' })).toBe(true);
    expect(hmacMatches(SLACK_SECRET, [`v0:${SLACK_TS}:${SLACK_BODY}`], SLACK_SIG, { prefix: 'v0=' })).toBe(true);
  });

  it('refuses a changed body, another secret, a missing prefix, a truncated or absent signature, an empty secret', () => {
    const parts = [`v0:${SLACK_TS}:`, SLACK_BODY];
    expect(hmacMatches(SLACK_SECRET, [`v0:${SLACK_TS}:`, `${SLACK_BODY}&x=1`], SLACK_SIG, { prefix: 'v0=' })).toBe(false);
    expect(hmacMatches(`${SLACK_SECRET}0`, parts, SLACK_SIG, { prefix: 'v0=' })).toBe(false);
    expect(hmacMatches(SLACK_SECRET, parts, SLACK_SIG.slice(3), { prefix: 'v0=' })).toBe(false);
    expect(hmacMatches(SLACK_SECRET, parts, SLACK_SIG.slice(0, -2), { prefix: 'v0=' })).toBe(false);
    expect(hmacMatches(SLACK_SECRET, parts, undefined, { prefix: 'v0=' })).toBe(false);
    expect(hmacMatches('', parts, SLACK_SIG, { prefix: 'v0=' })).toBe(false);
  });

  it('takes other algorithms and base64', () => {
    const sig = createHmac('sha1', 'k').update('body').digest('base64');
    expect(hmacMatches('k', ['body'], sig, { algorithm: 'sha1', encoding: 'base64' })).toBe(true);
    expect(hmacMatches('k', ['body'], sig)).toBe(false);
  });
});

describe('signedWebhookRoutes', () => {
  let http: FastifyInstance | undefined;
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });

  const start = async (running = () => true): Promise<{ seen: string[]; url: string }> => {
    http = Fastify();
    const seen: string[] = [];
    await signedWebhookRoutes(http, {
      paths: ['/hook'],
      name: 'test',
      log: pino({ level: 'silent' }),
      running,
      verify: (req, raw) => hmacMatches('secret', [raw], headerOf(req, 'X-Sig')),
      handle: async (_req, reply, raw) => {
        seen.push(raw.toString('utf8'));
        return reply.send({ ok: true });
      },
    });
    const url = await http.listen({ port: 0, host: '127.0.0.1' });
    return { seen, url };
  };

  const sign = (body: string): string => createHmac('sha256', 'secret').update(body).digest('hex');

  it('hands over the exact bytes of a genuine request, whatever its content type', async () => {
    const { seen, url } = await start();
    const body = '{"a": 1,  "b":"é"}';
    const res = await fetch(`${url}/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sig': sign(body) }, body });
    expect(res.status).toBe(200);
    const form = 'a=1&b=%20';
    const res2 = await fetch(`${url}/hook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sig': sign(form) }, body: form });
    expect(res2.status).toBe(200);
    expect(seen).toEqual([body, form]);
  });

  it('answers 401 to a forged or unsigned request and never hands it over', async () => {
    const { seen, url } = await start();
    const forged = await fetch(`${url}/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sig': sign('{}') }, body: '{"evil":1}' });
    const unsigned = await fetch(`${url}/hook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect([forged.status, unsigned.status]).toEqual([401, 401]);
    expect(seen).toEqual([]);
  });

  it('answers 503 while not running, before looking at the signature', async () => {
    const { seen, url } = await start(() => false);
    const res = await fetch(`${url}/hook`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-sig': sign('x') }, body: 'x' });
    expect(res.status).toBe(503);
    expect(seen).toEqual([]);
  });
});
