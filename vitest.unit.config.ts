/**
 * `npm run test:unit`: the tests that need no system server (no redis-server, ngIRCd, Prosody
 * or Chromium): pure functions and each bot against its in-process platform fake.
 * `npm test` runs everything, these included.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/browser/**', // Chromium
      'test/faults/**', // Redis, child bridges
      'test/store/**', // the contract runs on Redis too
      'test/servers/**', // ngIRCd, Prosody
      'test/irc/irc.test.ts',
      'test/irc/late-start.test.ts',
      'test/xmpp/xmpp.test.ts',
      'test/xmpp/late-start.test.ts',
      'test/e2e/irc.test.ts',
      'test/e2e/xmpp.test.ts',
      // these run every case on both stores, Redis included
      'test/core/commands.test.ts',
      'test/core/delivery.test.ts',
      'test/core/relay.test.ts',
      'test/core/topology.test.ts',
      'test/core/transcript.test.ts',
      'test/e2e/mattermost.test.ts',
      'test/e2e/slack.test.ts',
      'test/e2e/teams.test.ts',
      'test/e2e/telegram.test.ts',
      'test/web/relay.test.ts',
      'test/web/scaleout.test.ts',
      'test/core/command-answer.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
