/**
 * The one environment parser. The core and every platform declare their keys as data (kind,
 * default, secret, required, one line of meaning); `parseEnv` checks them all at once and
 * collects every bad value, each named by its key, so start-up can list them together.
 * `.env.example`, the README's key tables and the start-up hint are generated from the same
 * declarations (bots/env-docs.ts), so they cannot drift.
 */

export type EnvKind = 'string' | 'number' | 'boolean' | 'url' | 'list';

export interface EnvKey {
  readonly key: string;
  readonly kind: EnvKind;
  /** one line: what it means (README tables, `.env.example`) */
  readonly doc: string;
  /** as written in `.env.example` and the README; parsed like a set value */
  readonly default?: string;
  /** never logged; scrubbed from log lines and error messages */
  readonly secret?: boolean;
  /** must be set once its platform is on */
  readonly required?: boolean;
  /** numbers: bounds (inclusive) and whole numbers only */
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** url: accepted schemes (default http, https) */
  readonly schemes?: readonly string[];
}

export type EnvValue = string | number | boolean | readonly string[];

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/** One raw value as its kind, or an error message naming the key. */
export function parseValue(spec: EnvKey, raw: string): { value: EnvValue } | { error: string } {
  const v = raw.trim();
  switch (spec.kind) {
    case 'string':
      return { value: v };
    case 'list':
      return { value: v.split(/[\s,]+/).filter(Boolean) };
    case 'boolean':
      if (TRUE.test(v)) return { value: true };
      if (FALSE.test(v)) return { value: false };
      return { error: `${spec.key}: expected true or false, got "${clip(v, spec)}"` };
    case 'number': {
      const n = Number(v);
      const whole = spec.integer ?? true;
      if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) return { error: `${spec.key}: expected a ${whole ? 'whole ' : ''}number, got "${clip(v, spec)}"` };
      if (spec.min !== undefined && n < spec.min) return { error: `${spec.key}: must be at least ${spec.min}, got ${n}` };
      if (spec.max !== undefined && n > spec.max) return { error: `${spec.key}: must be at most ${spec.max}, got ${n}` };
      return { value: n };
    }
    case 'url': {
      const schemes = spec.schemes ?? ['http', 'https'];
      // A list of seeds (Redis Cluster) is checked seed by seed; later seeds may omit the scheme.
      const seeds = v.split(',').map((x) => x.trim());
      const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(seeds[0] ?? '')?.[0] ?? `${schemes[0] ?? 'http'}://`;
      for (const one of seeds.length > 1 ? seeds.map((m) => (m.includes('://') ? m : scheme + m)) : seeds) {
        let url: URL;
        try {
          url = new URL(one);
        } catch {
          return { error: `${spec.key}: expected a URL like ${schemes.map((x) => `${x}://…`).join(' or ')}, got "${clip(v, spec)}"` };
        }
        if (!schemes.includes(url.protocol.replace(/:$/, ''))) return { error: `${spec.key}: expected a URL like ${schemes.map((x) => `${x}://…`).join(' or ')}, got "${clip(v, spec)}"` };
      }
      return { value: v };
    }
  }
}

/** A secret's value never appears in an error message. */
function clip(v: string, spec: EnvKey): string {
  return spec.secret ? '…' : v.slice(0, 80);
}

/** Parsed values of declared keys. Reading an undeclared key is a programming error and throws. */
export class EnvValues {
  constructor(
    private readonly specs: ReadonlyMap<string, EnvKey>,
    private readonly values: ReadonlyMap<string, EnvValue>,
    private readonly given: ReadonlySet<string>,
  ) {}

  private read(key: string, kind: EnvKind | 'text'): EnvValue | undefined {
    const spec = this.specs.get(key);
    if (!spec) throw new Error(`env key ${key} is not declared`);
    if (kind !== 'text' && spec.kind !== kind) throw new Error(`env key ${key} is a ${spec.kind}, read as ${kind}`);
    return this.values.get(key);
  }

  /** a string or url key (trimmed; undefined when unset and without default) */
  str(key: string): string | undefined {
    const v = this.read(key, 'text');
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  num(key: string): number | undefined {
    const v = this.read(key, 'number');
    return typeof v === 'number' ? v : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.read(key, 'boolean');
    return typeof v === 'boolean' ? v : undefined;
  }

  list(key: string): readonly string[] {
    const v = this.read(key, 'list');
    return Array.isArray(v) ? v : [];
  }

  /** Whether the key was set in the environment (not just defaulted). */
  isSet(key: string): boolean {
    return this.given.has(key);
  }
}

export interface ParsedEnv {
  readonly values: EnvValues;
  /** one line per bad or missing key, each naming the key */
  readonly errors: string[];
}

/**
 * Parse declared keys. `checkRequired`: report required keys that are unset (a platform that
 * is on). Unset keys take their default; an empty value counts as unset.
 */
export function parseEnv(schema: readonly EnvKey[], env: NodeJS.ProcessEnv, checkRequired = true): ParsedEnv {
  const specs = new Map(schema.map((s) => [s.key, s]));
  const values = new Map<string, EnvValue>();
  const errors: string[] = [];
  const setKeys = new Set<string>();
  for (const spec of schema) {
    const raw = env[spec.key];
    const given = raw !== undefined && raw.trim() !== '';
    if (given) setKeys.add(spec.key);
    const source = given ? raw : spec.default;
    if (source === undefined || source === '') {
      if (checkRequired && spec.required) errors.push(`${spec.key} is required`);
      continue;
    }
    const parsed = parseValue(spec, source);
    if ('error' in parsed) errors.push(parsed.error);
    else values.set(spec.key, parsed.value);
  }
  return { values: new EnvValues(specs, values, setKeys), errors };
}

/** Values of the declared secret keys that are set, so logs and error messages can scrub them. */
export function secretsOf(schema: readonly EnvKey[], env: NodeJS.ProcessEnv): string[] {
  return schema.flatMap((s) => {
    const v = env[s.key];
    return s.secret && typeof v === 'string' && v.trim().length >= 4 ? [v.trim(), ...(v !== v.trim() ? [v] : [])] : [];
  });
}

/** Plain-text lines for `--help`: key, default (never a secret's) and meaning. */
export function keyHelpLines(keys: readonly EnvKey[]): string[] {
  return keys.map((k) => {
    const flags = [k.required ? 'required' : '', k.secret ? 'secret' : ''].filter(Boolean).join(', ');
    const dflt = !k.secret && k.default !== undefined && k.default !== '' ? ` (default ${k.default})` : '';
    return `  ${k.key}${dflt}: ${k.doc.replace(/`/g, '')}${flags ? ` [${flags}]` : ''}`;
  });
}
