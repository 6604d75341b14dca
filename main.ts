/** `npm start`: the core, with the platforms (bots/) and the command layer (commands/) handed in. */
import { PLATFORMS } from './bots/index.js';
import { createCommandRunner } from './commands/index.js';
import { runBridge } from './src/main.js';

runBridge({ platforms: PLATFORMS, commands: createCommandRunner() }).catch((err: unknown) => {
  // Configuration errors name their keys, never their values.
  console.error(`Sameroom could not start: ${err instanceof Error ? err.message : 'unknown error'}`);
  process.exit(1);
});
