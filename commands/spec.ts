/** The shape of one `-sameroom` verb. Each verb lives in its own file and is listed in index.ts. */
import { canDelete, canEdit, canName, type Bot } from '../src/bot.js';
import type { Author, InboundPost, RoomKey, RoomRef } from '../src/model.js';
import type { Services } from '../src/services.js';

export interface CommandContext {
  readonly s: Services;
  readonly bot: Bot;
  readonly room: RoomRef;
  readonly roomKey: RoomKey;
  readonly author: Author;
  /** `platform:userId (name)`, for the security log */
  readonly actor: string;
  /** positional words after the verb, as typed */
  readonly args: readonly string[];
  /** the spec's `args`, checked and parsed (numbers as numbers) */
  readonly values: ArgValues;
  readonly message: InboundPost;
  readonly receivedAt: number;
  /** the command word (`sameroom`), for answers that show a command */
  readonly word: string;
}

/** One positional argument; the runner checks it before `run`, so `run` sees only valid input. */
export interface ArgSpec {
  readonly name: string;
  /** `word`: one word; `int`: a whole number (≥ `min`); `rest`: everything that is left */
  readonly kind: 'word' | 'int' | 'rest';
  readonly optional?: boolean;
  /** `word`: the accepted values (any case) */
  readonly oneOf?: readonly string[];
  readonly min?: number;
  /** asked when the argument is missing (`Which link?`) */
  readonly prompt?: string;
}

/** What the room's bot must be able to do for the command to make sense. */
export type Capability = 'edit' | 'delete' | 'room-name';
/** `admin`: the author must administer the room (commands/permissions.ts); else a capability of the room's bot. */
export type Requirement = 'admin' | Capability;

export interface CommandSpec {
  readonly name: string;
  /** other words that run it */
  readonly aliases?: readonly string[];
  /** arguments as shown in help, e.g. `<code or portal URL>` */
  readonly usage: string;
  readonly help: string;
  /** checked in order by the runner; a missing or bad one gets a one-line answer with the usage */
  readonly args?: readonly ArgSpec[];
  /**
   * Checked in one place before `run` (commands/permissions.ts `permission`): `admin`, only an
   * admin of the room may run it; the others, what the room's bot must be able to do.
   */
  readonly requires?: readonly Requirement[];
  /** The answer posted in the room (canonical markup). A failed precondition is an answer, not a throw. */
  run(ctx: CommandContext): Promise<string>;
}

const CAN: Record<Capability, { test: (b: Bot) => boolean; what: string }> = {
  edit: { test: canEdit, what: 'edit messages' },
  delete: { test: canDelete, what: 'delete messages' },
  'room-name': { test: canName, what: 'tell room names' },
};

/** The answer when the room's bot lacks a capability the command requires, else undefined (`admin` is checked by the caller). */
export function unmet(spec: CommandSpec, ctx: Pick<CommandContext, 's' | 'bot'>): string | undefined {
  const missing = (spec.requires ?? []).find((r): r is Capability => r !== 'admin' && !CAN[r].test(ctx.bot));
  if (!missing) return undefined;
  return `\`${spec.name}\` is not available here: the bridge cannot ${CAN[missing].what} on ${ctx.s.platform(ctx.bot.platform).displayName}.`;
}

/**
 * The arguments as the spec declared them: `int` as a number, `word` lower-cased (one of `oneOf`
 * when given), `rest` as one string; absent when optional and not given.
 */
export class ArgValues {
  constructor(private readonly values: ReadonlyMap<string, string | number> = new Map()) {}

  int(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  /** A `word` or `rest` argument; with `of`, narrowed to one of its values. */
  text(name: string): string | undefined;
  text<T extends string>(name: string, of: readonly T[]): T | undefined;
  text(name: string, of?: readonly string[]): string | undefined {
    const v = this.values.get(name);
    if (typeof v !== 'string') return undefined;
    return !of || of.includes(v) ? v : undefined;
  }
}

/** The parsed arguments, or the answer to missing or malformed ones. */
export function parseArgs(spec: CommandSpec, args: readonly string[], word: string): { values: ArgValues } | { refused: string } {
  const usage = `Usage: \`-${word} ${spec.name}${spec.usage ? ` ${spec.usage}` : ''}\`.`;
  const values = new Map<string, string | number>();
  for (const [i, a] of (spec.args ?? []).entries()) {
    const v = a.kind === 'rest' ? args.slice(i).join(' ').trim() : args[i];
    if (!v) {
      if (a.optional) continue;
      return { refused: `${a.prompt ?? `Missing ${a.name}.`} ${usage}` };
    }
    if (a.kind === 'int') {
      const n = /^[+-]?\d+$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < (a.min ?? Number.MIN_SAFE_INTEGER)) return { refused: `${a.prompt ?? `"${v.slice(0, 40)}" is not a valid ${a.name}.`} ${usage}` };
      values.set(a.name, n);
      continue;
    }
    if (a.kind === 'word') {
      const w = v.toLowerCase();
      if (a.oneOf && !a.oneOf.includes(w)) return { refused: `Unknown ${a.name} "${v.slice(0, 40)}": use one of ${a.oneOf.join(', ')}. ${usage}` };
      values.set(a.name, w);
      continue;
    }
    values.set(a.name, v);
  }
  return { values: new ArgValues(values) };
}
