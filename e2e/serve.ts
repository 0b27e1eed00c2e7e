/**
 * Starts the real server for the end-to-end tests: rebuilds the Next.js
 * app (`npm run build`) when .next/BUILD_ID is older than any app source,
 * then runs server/main.ts in production mode with the environment that
 * playwright.config.ts passes (PORT, REWRITE_DB, ...).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const SOURCES = ["app", "components", "shared", "public", "next.config.js", "tailwind.config.js", "postcss.config.js", "package.json"];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const id = join(".next", "BUILD_ID");
  if (!existsSync(id)) return false;
  const built = statSync(id).mtimeMs;
  return SOURCES.every((source) => newestMtime(source) <= built);
}

if (process.env.E2E_SKIP_BUILD !== "1" && !buildIsCurrent()) {
  const build = spawnSync("npm", ["run", "build"], { stdio: ["ignore", "inherit", "inherit"], env: process.env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn("npx", ["tsx", "server/main.ts"], { stdio: "inherit", env: process.env });
const stop = () => server.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.on("exit", (code) => process.exit(code ?? 0));
