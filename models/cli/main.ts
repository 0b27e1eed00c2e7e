/**
 * `npm run cli -- <command> ...`: model tools on the command line.
 *
 * To add a command, write models/cli/commands/<name>.ts exporting a
 * CliCommand and list it in COMMANDS below.
 */
import pino from "pino";

import { runCli } from "./cli";
import type { CliCommand } from "./command";
import { applyCommand } from "./commands/apply";
import { compareCommand } from "./commands/compare";
import { demoRulesCommand } from "./commands/demoRules";
import { matchCommand } from "./commands/match";
import { sampleCommand } from "./commands/sample";
import { statsCommand } from "./commands/stats";

const COMMANDS: readonly CliCommand[] = [
  sampleCommand,
  statsCommand,
  applyCommand,
  compareCommand,
  matchCommand,
  demoRulesCommand,
];

const logger = pino(
  { level: process.env.LOG_LEVEL ?? "warn" },
  pino.destination({ fd: 2, sync: true }),
);

process.exitCode = await runCli(COMMANDS, process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  logger,
  env: process.env,
});
