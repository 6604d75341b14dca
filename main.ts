/** `npm start`: the core, with the platforms (bots/) and the command layer (commands/) handed in. */
import { PLATFORMS } from './bots/index.js';
import { createCommandRunner } from './commands/index.js';
import { runBridge } from './src/main.js';
import { ConfigErrors } from './src/platform.js';

runBridge({ platforms: PLATFORMS, commands: createCommandRunner() }).catch((err: unknown) => {
  // Configuration errors name their keys, never a secret's value: one line each, all at once.
  if (err instanceof ConfigErrors) console.error(`Sameroom could not start: ${err.errors.length} configuration error(s):\n${err.errors.map((e) => `  ${e}`).join('\n')}`);
  else console.error(`Sameroom could not start: ${err instanceof Error ? err.message : 'unknown error'}`);
  process.exit(1);
});
