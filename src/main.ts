/**
 * Run the bridge with the configuration in the environment (and `.env`). The platforms and the
 * command layer are handed in by the entry point (main.ts at the top level): the core imports
 * neither.
 */
import 'dotenv/config';
import type { CommandRunner } from './command.js';
import { keyHelpLines } from './env.js';
import { CORE_ENV, loadConfig, secretValues, type Config } from './config.js';
import { createLogger, prettyStream, wantsPretty } from './log.js';
import { loadPlatforms, type PlatformDescriptor } from './platform.js';
import { packageVersion, startupSummary } from './summary.js';
import { buildBridge, openEmbeddedStore } from './setup.js';

export interface App {
  readonly platforms: readonly PlatformDescriptor[];
  readonly commands: CommandRunner;
}

/** Every secret the core and the platforms declare, to scrub from logs. */
function secrets(app: App, config: Config): string[] {
  return secretValues(config.env, [...CORE_ENV, ...app.platforms.flatMap((p) => p.env)]);
}

/** `npm start -- --help`: what it does, every key (core and platforms) and the chat commands. */
export function bridgeUsage(app: App, word = 'sameroom'): string {
  const out = [
    'Usage: npm start [-- --help]',
    '',
    'Runs the Sameroom bridge: the HTTP server (web chat, portal, webhooks, /healthz, /metrics) and every',
    'platform whose keys are set, configured from the environment and .env. Bad keys are listed',
    'together at start and it exits non-zero. npm run dlq / backup / restore -- --help for the tools.',
    '',
    'Keys of the core:',
    ...keyHelpLines(CORE_ENV),
  ];
  for (const p of app.platforms) {
    if (p.env.length === 0) continue;
    out.push('', `Keys of ${p.displayName}${p.enabledBy.length ? ` (on when ${p.enabledBy.join(' or ')} is set)` : ' (built in, always on)'}:`, ...keyHelpLines(p.env));
  }
  const lines = app.commands.helpLines?.(word) ?? app.commands.verbs.map((v) => `-${word} ${v}`);
  out.push('', `Commands, posted in a chat room (COMMAND_WORD sets the word):`, ...lines.map((l) => `  ${l.replace(/`/g, '')}`));
  return `${out.join('\n')}\n`;
}

export const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

export async function runBridge(app: App, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (wantsHelp(argv)) {
    // Nothing is started: no configuration read, no store opened.
    process.stdout.write(bridgeUsage(app, process.env.COMMAND_WORD?.trim().toLowerCase() || 'sameroom'));
    return;
  }
  const config = loadConfig();
  const pretty = wantsPretty(config.env.LOG_FORMAT, process.stdout.isTTY);
  const log = createLogger(config.logLevel, secrets(app, config), pretty ? prettyStream() : undefined);
  // DATA_DIR first: a second bridge on it refuses at once, before loading any platform.
  const embedded = config.redisUrl ? undefined : openEmbeddedStore(config);
  const { bots, missing } = await loadPlatforms(app.platforms, config);
  const bridge = buildBridge(config, log, bots, app.commands, { platforms: app.platforms, ...(embedded ? { embedded } : {}) });
  await bridge.start();
  await bridge.http.listen({ port: config.port, host: config.host });
  if (bridge.metricsHttp) await bridge.metricsHttp.listen({ port: config.limits.http.metricsPort ?? 0, host: config.host });
  log.info(
    startupSummary({
      version: packageVersion(),
      publicUrl: config.publicUrl,
      store: config.redisUrl ? 'Redis' : `embedded (${config.dataDir})`,
      platforms: bridge.runner.states(),
      notConfigured: missing.map((m) => m.name),
    }),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing deliveries in flight');
    const timeoutMs = config.shutdownTimeoutMs;
    // Unfinished deliveries stay queued and resume at the next start; never hang here.
    setTimeout(() => process.exit(1), timeoutMs + 15_000).unref();
    bridge.stop(timeoutMs).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
