/**
 * What a platform tells the core about itself: one descriptor per platform, in its own folder
 * (bots/<platform>/descriptor.ts). The list of descriptors lives in bots/ and is handed to the
 * core at start; the core never imports a platform.
 *
 * A descriptor module is light: `create` loads the bot's implementation (and its SDK) with a
 * dynamic `import()`, so a process without that platform configured never loads its SDK.
 */
import type { Bot } from './bot.js';
import type { Config } from './config.js';
import { parseEnv, type EnvKey, type EnvValues } from './env.js';

/** What a platform cannot do, said in help so nobody waits for it. */
export type Cannot =
  /** edits made there are not reported to bots */
  | 'report-edits'
  /** deletes made there are not reported to bots */
  | 'report-deletes'
  /** copies cannot be edited afterwards */
  | 'show-edits'
  /** copies cannot be deleted afterwards */
  | 'show-deletes';

export interface PlatformInfo {
  /** the platform id in room keys (`discord`) */
  readonly name: string;
  /** as people write it (`Rocket.Chat`) */
  readonly displayName: string;
  readonly cannot: readonly Cannot[];
}

/** A platform's environment keys, declared once (in its config.ts). */
export interface PlatformEnv {
  /** every environment key the platform reads */
  readonly env: readonly EnvKey[];
  /** the platform is on when any of these keys is set; empty: always on (built in) */
  readonly enabledBy: readonly string[];
  /** groups of keys of which at least one must be set once the platform is on */
  readonly requireOneOf?: ReadonlyArray<readonly string[]>;
}

export interface PlatformDescriptor extends PlatformInfo, PlatformEnv {
  /** Make the bot from parsed values; loads the implementation with `import()`. Throws on a config that cannot work. */
  create(env: EnvValues, core: Config): Promise<Bot>;
}

/** Is the platform configured (any enabling key set, or built in)? */
export function isEnabled(d: PlatformEnv, env: NodeJS.ProcessEnv): boolean {
  return d.enabledBy.length === 0 || d.enabledBy.some((k) => (env[k] ?? '').trim() !== '');
}

/** What to set to turn a platform on: `IRC_SERVER`, `SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET or SLACK_APP_TOKEN`. */
export function enableHint(d: PlatformDescriptor): string {
  const required = d.env.filter((k) => k.required).map((k) => k.key);
  const keys = required.length ? required : d.enabledBy.slice(0, 1);
  return [...keys, ...(d.requireOneOf ?? []).map((g) => g.join(' or '))].join(' + ');
}

/** Check a configured platform's keys; every problem, each naming its key. */
export function checkPlatformEnv(d: PlatformEnv, env: NodeJS.ProcessEnv): { values: EnvValues; errors: string[] } {
  const { values, errors } = parseEnv(d.env, env);
  for (const group of d.requireOneOf ?? []) {
    if (!group.some((k) => values.isSet(k))) errors.push(`set ${group.join(' or ')}`);
  }
  return { values, errors };
}

/** A platform's parsed keys, or undefined when it is not configured; throws ConfigErrors naming every bad key. */
export function readPlatformEnv(d: PlatformEnv, env: NodeJS.ProcessEnv): EnvValues | undefined {
  if (!isEnabled(d, env)) return undefined;
  const { values, errors } = checkPlatformEnv(d, env);
  if (errors.length) throw new ConfigErrors(errors);
  return values;
}

export interface LoadedPlatforms {
  readonly bots: Bot[];
  /** platforms not configured, for the start-up hint */
  readonly missing: PlatformDescriptor[];
}

export class ConfigErrors extends Error {
  override readonly name = 'ConfigErrors';
  constructor(readonly errors: readonly string[]) {
    super(`configuration: ${errors.join('; ')}`);
  }
}

/** Check every configured platform first (all errors at once), then create their bots. */
export async function loadPlatforms(descriptors: readonly PlatformDescriptor[], config: Config): Promise<LoadedPlatforms> {
  const on = descriptors.filter((d) => isEnabled(d, config.env));
  const checked = on.map((d) => ({ d, ...checkPlatformEnv(d, config.env) }));
  const errors = checked.flatMap((c) => c.errors);
  if (errors.length) throw new ConfigErrors(errors);
  const bots: Bot[] = [];
  for (const { d, values } of checked) bots.push(await d.create(values, config));
  return { bots, missing: descriptors.filter((d) => !on.includes(d)) };
}

/** Help's sentence on what a platform cannot do, or undefined when it can do everything. */
export function cannotNote(p: PlatformInfo): string | undefined {
  const c = new Set(p.cannot);
  const parts: string[] = [];
  const both = (a: Cannot, b: Cannot): boolean => c.has(a) && c.has(b);
  if (both('report-edits', 'show-edits') && both('report-deletes', 'show-deletes')) parts.push(`${p.displayName} has no edits or deletes for bots: edits and deletes are not bridged to or from ${p.displayName}.`);
  else {
    if (c.has('report-edits')) parts.push(`${p.displayName} does not tell bots about edits, so edits made there are not bridged.`);
    if (c.has('report-deletes')) parts.push(`${p.displayName} does not tell bots about deleted messages, so deletes made in ${p.displayName} are not bridged.`);
    if (c.has('show-edits')) parts.push(`${p.displayName} cannot edit a message: edits from other rooms are not shown there.`);
    if (c.has('show-deletes')) parts.push(`${p.displayName} cannot delete a message: deletes from other rooms are not shown there.`);
  }
  return parts.length ? parts.join(' ') : undefined;
}

const known = new Map<string, PlatformInfo>();

/** The descriptors' display names and limits, for pages and answers (set by the bridge at start). */
export function registerPlatforms(list: readonly PlatformInfo[]): void {
  for (const p of list) known.set(p.name, { name: p.name, displayName: p.displayName, cannot: p.cannot });
}

export function platformInfo(name: string): PlatformInfo {
  return known.get(name) ?? { name, displayName: name, cannot: [] };
}

/** `Rocket.Chat` for `rocketchat`; the id itself for a platform without a descriptor (tests). */
export function platformName(name: string): string {
  return platformInfo(name).displayName;
}
