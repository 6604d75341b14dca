/** The Teams app manifest template: what sideloading needs, and that it matches the bot. */
import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCommandRunner } from '../../commands/index.js';

const dir = new URL('../../bots/teams/manifest/', import.meta.url);
const manifest: unknown = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
const m = manifest as {
  manifestVersion: string;
  id: string;
  icons: { color: string; outline: string };
  bots: Array<{ botId: string; scopes: string[]; commandLists: Array<{ commands: Array<{ title: string; description: string }> }> }>;
  webApplicationInfo: { id: string };
  authorization: { permissions: { resourceSpecific: Array<{ name: string; type: string }> } };
};

describe('Teams app manifest template', () => {
  it('is manifest v1.16 or later with the app id as a placeholder', () => {
    expect(Number(m.manifestVersion)).toBeGreaterThanOrEqual(1.16);
    expect(m.id).toBe('${{TEAMS_APP_ID}}');
    expect(m.bots[0]?.botId).toBe('${{TEAMS_APP_ID}}');
    expect(m.webApplicationInfo.id).toBe('${{TEAMS_APP_ID}}');
  });

  it('installs the bot in teams, group chats and 1:1 chats', () => {
    expect(m.bots[0]?.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
  });

  it('asks for the RSC permissions that deliver every message (all-message mode)', () => {
    const rsc = m.authorization.permissions.resourceSpecific;
    expect(rsc).toContainEqual({ name: 'ChannelMessage.Read.Group', type: 'Application' });
    expect(rsc).toContainEqual({ name: 'ChatMessage.Read.Chat', type: 'Application' });
  });

  it('lists only commands the bot understands, within Teams limits', () => {
    for (const c of m.bots[0]?.commandLists[0]?.commands ?? []) {
      expect(createCommandRunner().verbs).toContain(c.title);
      expect(c.title.length).toBeLessThanOrEqual(32);
      expect(c.description.length).toBeLessThanOrEqual(128);
    }
  });

  it('ships its icons', () => {
    expect(existsSync(new URL(m.icons.color, dir))).toBe(true);
    expect(existsSync(new URL(m.icons.outline, dir))).toBe(true);
  });
});
