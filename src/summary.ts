/** The start-up line: one short sentence an operator reads at a glance. */
import { readFileSync } from 'node:fs';
import type { PlatformState } from './platforms.js';

export interface SummaryInput {
  readonly version: string;
  readonly publicUrl: string;
  /** `Redis` or `embedded (./data)` */
  readonly store: string;
  readonly platforms: Readonly<Record<string, PlatformState>>;
  /** platforms without credentials */
  readonly notConfigured: readonly string[];
}

export function startupSummary(s: SummaryInput): string {
  const on = Object.entries(s.platforms).map(([p, st]) => (st.state === 'up' ? p : `${p} (${st.state})`));
  const off = s.notConfigured.length ? `; not configured: ${s.notConfigured.join(', ')} (keys in .env.example)` : '';
  return `Sameroom ${s.version} on ${s.publicUrl}, store ${s.store}; platforms: ${on.join(', ') || 'none'}${off}`;
}

/** The version in package.json (one level up from src/ under tsx, two from dist/src/ when built). */
export function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'sameroom' && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try the next
    }
  }
  return 'unknown';
}
