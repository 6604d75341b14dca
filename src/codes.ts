/**
 * Pairing codes: single use, short-lived, easy to read aloud. 12 characters from a 31-letter
 * alphabet without 0/O, 1/I/L (59 bits), shown in groups of four: `K7QF-M2XD-9PRT`.
 * Claiming is one atomic take, so of two racing `connect`s exactly one wins.
 */
import { customAlphabet } from 'nanoid';
import { keys } from './keys.js';
import type { RoomKey } from './model.js';
import type { Store } from './store/store.js';

export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 12;
const make = customAlphabet(CODE_ALPHABET, CODE_LENGTH);

export interface CodeGrant {
  readonly room: RoomKey;
  readonly by: string;
  readonly createdAt: number;
}

/** `K7QFM2XD9PRT` → `K7QF-M2XD-9PRT` */
export function formatCode(raw: string): string {
  return raw.match(/.{1,4}/g)?.join('-') ?? raw;
}

/** What a user typed → the raw code, or null when it cannot be one. */
export function normalizeCode(input: string): string | null {
  const raw = input.toUpperCase().replace(/[\s-]/g, '');
  if (raw.length !== CODE_LENGTH) return null;
  for (const c of raw) if (!CODE_ALPHABET.includes(c)) return null;
  return raw;
}

export class Codes {
  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
  ) {}

  /** A new code for `room`, shown formatted. */
  async open(room: RoomKey, by: string, now = Date.now()): Promise<string> {
    for (;;) {
      const raw = make();
      const grant: CodeGrant = { room, by, createdAt: now };
      if (await this.store.setIfAbsent(keys.code(raw), JSON.stringify(grant), this.ttlMs)) return formatCode(raw);
    }
  }

  /** Put a claimed code back (the connect it was claimed for changed nothing). */
  async restore(input: string, grant: CodeGrant, ttlMs: number): Promise<void> {
    const raw = normalizeCode(input);
    if (raw && ttlMs > 0) await this.store.setIfAbsent(keys.code(raw), JSON.stringify(grant), ttlMs);
  }

  /** Use a code up. Null when it is unknown, expired or already used (indistinguishable). */
  async claim(input: string): Promise<CodeGrant | null> {
    const raw = normalizeCode(input);
    if (!raw) return null;
    const v = await this.store.take(keys.code(raw));
    return v ? (JSON.parse(v) as CodeGrant) : null;
  }
}
