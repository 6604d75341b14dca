/**
 * `npm run backup -- <file>`: a consistent copy of the embedded store, made while the bridge runs.
 * `npm run restore -- <file>`: put a backup back (stop the bridge first).
 */
import 'dotenv/config';
import { loadConfig } from './config.js';
import { backupDataDir, restoreDataDir } from './store/backup.js';

const USAGE = `Usage: npm run backup -- <file>    a consistent copy of the embedded store (DATA_DIR), made while the bridge runs
       npm run restore -- <file>   put a backup back into DATA_DIR (stop the bridge first)
With REDIS_URL set the data is in Redis: back it up with Redis persistence instead.
`;

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig();
  const [verb, file] = args;
  if ((verb !== 'backup' && verb !== 'restore') || !file) {
    throw new Error('Usage: npm run backup -- <file>   or   npm run restore -- <file>');
  }
  if (config.redisUrl) {
    throw new Error('REDIS_URL is set: the data is in Redis. Back it up with Redis persistence (an RDB snapshot or the AOF file; see docs/operations.md).');
  }
  if (verb === 'backup') {
    backupDataDir(config.dataDir, file);
    console.log(`Backed up ${config.dataDir} to ${file}. Restore it with: npm run restore -- ${file}`);
    return;
  }
  const kept = restoreDataDir(config.dataDir, file);
  console.log(`Restored ${file} into ${config.dataDir}.${kept ? ` The database it replaced is kept as ${kept}.` : ''} Start the bridge.`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
