/**
 * The Teams app package (`npm run teams:package`): bots/teams/manifest/manifest.json filled from the environment,
 * with the two icons, zipped at the root as Teams' "Upload a custom app" expects.
 */
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';

const DIR = new URL('../bots/teams/manifest/', import.meta.url);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamsPackage {
  readonly zip: Uint8Array;
  readonly manifest: Record<string, unknown>;
}

/** Every problem with the keys the package needs, one line each (empty when all is well). */
export function packageProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const id = env.TEAMS_APP_ID?.trim();
  if (!id) problems.push('TEAMS_APP_ID: not set (the Microsoft App ID of your Azure Bot)');
  else if (!GUID.test(id)) problems.push(`TEAMS_APP_ID: not an app id (a GUID like 00000000-0000-0000-0000-000000000000), got "${id}"`);
  const url = env.PUBLIC_URL?.trim();
  let parsed: URL | undefined;
  try {
    parsed = url ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!url) problems.push('PUBLIC_URL: not set (the public HTTPS address of the bridge)');
  else if (!parsed || parsed.protocol !== 'https:') problems.push(`PUBLIC_URL: Teams needs an https:// address, got "${url}"`);
  const name = env.TEAMS_DEVELOPER_NAME?.trim();
  if (name && name.length > 32) problems.push(`TEAMS_DEVELOPER_NAME: at most 32 characters, got ${name.length}`);
  return problems;
}

/** Throws with every problem listed when the keys are missing or wrong. */
export function buildTeamsPackage(env: NodeJS.ProcessEnv): TeamsPackage {
  const problems = packageProblems(env);
  if (problems.length) throw new Error(`cannot make the Teams app package:\n  ${problems.join('\n  ')}`);
  const publicUrl = (env.PUBLIC_URL ?? '').trim().replace(/\/+$/, '');
  const values: Record<string, string> = {
    TEAMS_APP_ID: (env.TEAMS_APP_ID ?? '').trim().toLowerCase(),
    PUBLIC_URL: publicUrl,
    PUBLIC_HOST: new URL(publicUrl).hostname,
    DEVELOPER_NAME: env.TEAMS_DEVELOPER_NAME?.trim() || new URL(publicUrl).hostname,
  };
  const template = readFileSync(new URL('manifest.json', DIR), 'utf8');
  // Values go in as JSON string content, so a quote in a name cannot break the manifest.
  const text = template.replace(/\$\{\{(\w+)\}\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`manifest.json has an unknown placeholder ${whole}`);
    return JSON.stringify(v).slice(1, -1);
  });
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    'color.png': readFileSync(new URL('color.png', DIR)),
    'outline.png': readFileSync(new URL('outline.png', DIR)),
  });
  return { zip, manifest };
}
