/** The fake GroupMe itself holds to the documented protocol (what the bot tests rely on). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGroupMe, type FakeGroupMe } from '../fakes/groupme/server.js';

let fake: FakeGroupMe;

beforeEach(async () => {
  fake = await startFakeGroupMe();
  fake.addGroup('g1', 'Family');
});

afterEach(async () => {
  await fake.close();
});

const json = async (res: Response): Promise<unknown> => res.json();

describe('fake GroupMe', () => {
  it('takes the token as ?token= or X-Access-Token and answers 401 without it, in the envelope', async () => {
    const byQuery = await fetch(`${fake.apiUrl}/groups?token=${fake.token}`);
    expect(byQuery.status).toBe(200);
    expect(await json(byQuery)).toMatchObject({ response: [{ id: 'g1', name: 'Family' }], meta: { code: 200 } });
    const byHeader = await fetch(`${fake.apiUrl}/bots`, { headers: { 'x-access-token': fake.token } });
    expect(await json(byHeader)).toEqual({ response: [], meta: { code: 200 } });
    const none = await fetch(`${fake.apiUrl}/groups`);
    expect(none.status).toBe(401);
    expect(await json(none)).toMatchObject({ response: null, meta: { code: 401 } });
    const pictureByQuery = await fetch(`${fake.imageUrl}/pictures?token=${fake.token}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array([1]),
    });
    expect(pictureByQuery.status).toBe(401);
  });

  it('creates, lists and destroys bots, and bots/post enforces its rules', async () => {
    const headers = { 'x-access-token': fake.token, 'content-type': 'application/json' };
    const created = await fetch(`${fake.apiUrl}/bots`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ bot: { name: 'B', group_id: 'g1', callback_url: 'http://127.0.0.1:1/cb' } }),
    });
    expect(created.status).toBe(201);
    const { response } = (await json(created)) as { response: { bot: { bot_id: string } } };
    const botId = response.bot.bot_id;
    const postAs = (body: object) =>
      fetch(`${fake.apiUrl}/bots/post`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await postAs({ bot_id: botId, text: 'x'.repeat(1000) })).status).toBe(202);
    expect((await postAs({ bot_id: botId, text: 'x'.repeat(1001) })).status).toBe(400);
    expect((await postAs({ bot_id: 'nope', text: 'hi' })).status).toBe(404);
    expect((await postAs({ bot_id: botId, text: 'hi', attachments: [{ type: 'image', url: 'https://example.com/a.png' }] })).status).toBe(400);
    const destroyed = await fetch(`${fake.apiUrl}/bots/destroy`, { method: 'POST', headers, body: JSON.stringify({ bot_id: botId }) });
    expect(destroyed.status).toBe(200);
    expect(fake.bots.size).toBe(0);
  });
});
