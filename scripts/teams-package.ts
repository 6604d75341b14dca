/**
 * `npm run teams:package [-- out.zip]`: writes the Teams app package (default
 * sameroom-teams.zip) from TEAMS_APP_ID, PUBLIC_URL and TEAMS_DEVELOPER_NAME (env or .env).
 */
import 'dotenv/config';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildTeamsPackage } from './teams-manifest.js';

const out = resolve(process.argv[2] ?? 'sameroom-teams.zip');
try {
  const { zip } = buildTeamsPackage(process.env);
  writeFileSync(out, zip);
  console.log(`Wrote ${out}: upload it in Teams → Apps → Manage your apps → Upload an app.`);
} catch (err) {
  console.error(err instanceof Error ? err.message : 'cannot make the Teams app package');
  process.exit(1);
}
