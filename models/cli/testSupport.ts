import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** The repository root, where `npm run cli` runs. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `tsx models/cli/main.ts ...args` as a user would, on the CPU. */
export function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["models/cli/main.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, REWRITE_EXECUTION_PROVIDER: "cpu" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
