/**
 * Run the bridge with the configuration in the environment (and `.env`). The platforms and the
 * command layer are handed in by the entry point (main.ts at the top level): the core imports
 * neither.
 */
import 'dotenv/config';
import type { CommandRunner } from './command.js';
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

export async function runBridge(app: App): Promise<void> {
  const config = loadConfig();
  const pretty = wantsPretty(config.env.LOG_FORMAT, process.stdout.isTTY);
  const log = createLogger(config.logLevel, secrets(app, config), pretty ? prettyStream() : undefined);
  // DATA_DIR first: a second bridge on it refuses at once, before loading any platform.
  const embedded = config.redisUrl ? undefined : openEmbeddedStore(config);
  const { bots, missing } = await loadPlatforms(app.platforms, config);
  const bridge = buildBridge(config, log, bots, app.commands, { platforms: app.platforms, ...(embedded ? { embedded } : {}) });
  await bridge.start();
  await bridge.http.listen({ port: config.port, host: config.host });
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
