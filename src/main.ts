/** `npm start`: run the bridge with the configuration in the environment (and `.env`). */
import 'dotenv/config';
import { loadConfig, secretValues } from './config.js';
import { createLogger } from './log.js';
import { createBots } from './registry.js';
import { buildBridge } from './setup.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, secretValues(config.env));
  const { bots, missing } = await createBots(config);
  const bridge = buildBridge(config, log, bots);
  await bridge.start();
  await bridge.http.listen({ port: config.port, host: config.host });
  if (bridge.metricsHttp) await bridge.metricsHttp.listen({ port: config.limits.http.metricsPort ?? 0, host: config.host });
  const store = config.redisUrl ? 'Redis' : `the embedded store in ${config.dataDir}`;
  log.info(
    `Sameroom is running on ${store}: open ${config.publicUrl} to chat. Platforms on: ${bridge.platforms().join(', ') || 'none'}.` +
      (missing.length ? ` Not configured: ${missing.map((m) => `${m.platform} (set ${m.keys.join(' + ')})`).join(', ')}.` : ''),
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
