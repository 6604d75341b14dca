/** `npm start`: run the bridge with the configuration in the environment (and `.env`). */
import 'dotenv/config';
import { loadConfig, secretValues } from './config.js';
import { createLogger, prettyStream, wantsPretty } from './log.js';
import { createBots } from './registry.js';
import { buildBridge } from './setup.js';
import { packageVersion, startupSummary } from './summary.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const pretty = wantsPretty(config.env.LOG_FORMAT, process.stdout.isTTY);
  const log = createLogger(config.logLevel, secretValues(config.env), pretty ? prettyStream() : undefined);
  const { bots, missing } = await createBots(config);
  const bridge = buildBridge(config, log, bots);
  await bridge.start();
  await bridge.http.listen({ port: config.port, host: config.host });
  log.info(
    startupSummary({
      version: packageVersion(),
      publicUrl: config.publicUrl,
      store: config.redisUrl ? 'Redis' : `embedded (${config.dataDir})`,
      platforms: bridge.runner.states(),
      notConfigured: missing.map((m) => m.platform),
    }),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing deliveries in flight');
    const timeoutMs = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
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

main().catch((err: unknown) => {
  console.error(`Sameroom could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
