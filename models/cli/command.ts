import { parseArgs, type ParseArgsConfig } from "node:util";

import type { Logger } from "pino";

/** Where a command writes and what it may read from its environment. */
export interface CliContext {
  /** Results meant for the user or a pipe. */
  readonly stdout: (text: string) => void;
  /** Progress and diagnostics. */
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress may then redraw one line). */
  readonly interactive: boolean;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One `npm run cli -- <name> ...` command. */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Its synopsis, e.g. `sample --seeds LIST --out FILE [--model DIR]`. */
  readonly usage: string;
  run(args: readonly string[], context: CliContext): Promise<void>;
}

/** The user typed something the command cannot accept; exit status 2. */
export class UsageError extends Error {
  readonly code = "usage" as const;

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The command was fine but its work failed (e.g. a file it cannot write); exit status 1. */
export class CommandFailure extends Error {
  readonly code = "failed" as const;

  constructor(message: string) {
    super(message);
    this.name = "CommandFailure";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `util.parseArgs` in strict mode, with its errors turned into UsageErrors. */
export function parseOptions<T extends Options>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>["values"] {
  return strictly(() => parseArgs({ args: [...args], options, strict: true, allowPositionals: false, tokens: true }))
    .values;
}

/** The same, allowing positionals (rule files). */
export function parseWithPositionals<T extends Options>(args: readonly string[], options: T) {
  return strictly(() => parseArgs({ args: [...args], options, strict: true, allowPositionals: true, tokens: true }));
}

/**
 * Runs a parse and refuses a flag given twice, which would silently keep its
 * last value (`--rules a --rules b` solving only b). Errors become UsageErrors.
 */
function strictly<T extends { tokens: readonly { kind: string; name?: string }[] }>(parse: () => T): T {
  try {
    const parsed = parse();
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (token.kind !== "option" || token.name === undefined) continue;
      if (seen.has(token.name)) {
        throw new Error(`--${token.name} is given more than once; give it once (lists take commas: a,b)`);
      }
      seen.add(token.name);
    }
    return parsed;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A required option's value, or a UsageError naming it. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`missing ${flag}`);
  return value;
}

/** Parses an integer option no smaller than `minimum`. */
/** Largest --scale a grid may be drawn at (64 px images → 2048 px tiles). */
export const MAX_SCALE = 32;

export function integerOption(
  text: string | undefined,
  flag: string,
  fallback: number,
  minimum = 1,
  maximum = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `≥ ${minimum}` : `from ${minimum} to ${maximum}`;
    throw new UsageError(`${flag} must be an integer ${range}, got "${text}"`);
  }
  return value;
}
