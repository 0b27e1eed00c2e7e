import { SeedListError } from "../../shared/latent";
import { ModelError } from "../../server/model";

import { CommandFailure, UsageError, type CliCommand, type CliContext } from "./command";

/** Exit statuses: 0 done, 1 the work failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Runs `argv` (command name, then its options) against `commands` and
 * returns the exit status. Known failures print one `error: ...` line;
 * anything else prints its stack.
 */
export async function runCli(
  commands: readonly CliCommand[],
  argv: readonly string[],
  context: CliContext,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    context.stderr(helpText(commands));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    context.stderr(`error: unknown command "${name}"\n\n${helpText(commands)}`);
    return EXIT_USAGE;
  }
  if (args.includes("--help") || args.includes("-h")) {
    context.stderr(`${command.summary}\nusage: npm run cli -- ${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    await command.run(args, context);
    return EXIT_OK;
  } catch (error) {
    return report(error, command, context);
  }
}

function report(error: unknown, command: CliCommand, context: CliContext): number {
  if (error instanceof UsageError || error instanceof SeedListError) {
    context.stderr(`error: ${error.message}\nusage: npm run cli -- ${command.usage}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ModelError || error instanceof CommandFailure) {
    context.stderr(`error: ${error.message}\n`);
    return EXIT_FAILED;
  }
  context.stderr(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILED;
}

function helpText(commands: readonly CliCommand[]): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}\n      npm run cli -- ${c.usage}`);
  return `usage: npm run cli -- <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}
