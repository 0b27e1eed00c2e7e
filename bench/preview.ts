/**
 * Preview latency: one editor changes a rule's strength; how long until
 * every co-editor's grid shows the edited model? For each edit and each
 * co-editor we time (a) the first update, the browser preview or the
 * server's images, whichever covers the whole grid first, and (b) the
 * authoritative update, all server images of the new rule set loaded.
 * Target: p95 of (a) ≤ 1.5 s.
 *
 * Runs the real server (e2e/serve.ts: production build, rebuilt when stale)
 * on a free port with a temporary SQLite file, and headless system Chromium.
 *
 *   npm run bench -- preview [--editors 3] [--edits 12]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import type { CreateSessionResponse } from "@/shared/protocol/api";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../e2e/chromium";

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function startServer(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const db = join(mkdtempSync(join(tmpdir(), "rewrite-bench-")), "rewrite.sqlite");
  const child = spawn("npx", ["tsx", "e2e/serve.ts"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PORT: String(port), REWRITE_DB: db, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn" },
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 900_000; waited += 500) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { url, process: child };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("server did not start");
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The server image URL of every tile, by seed. */
function serverSources(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('[data-testid^="tile-"]')].map((t) => [t.dataset.seed ?? "", t.dataset.serverSrc ?? ""]),
    ),
  );
}

/** Resolves when every tile shows the new rule set: preview (or server, if `serverOnly`). */
function gridUpdated(page: Page, before: Record<string, string>, previewKey: string, serverOnly: boolean): Promise<unknown> {
  return page.waitForFunction(
    ([old, key, onlyServer]) => {
      const editor = document.querySelector<HTMLElement>('[data-testid="editor"]');
      const previewReady = editor?.dataset.previewState === `ready:${key}`;
      return [...document.querySelectorAll<HTMLElement>('[data-testid^="tile-"]')].every((tile) => {
        const fresh = (tile.dataset.serverSrc ?? "") !== "" && tile.dataset.serverSrc !== old[tile.dataset.seed ?? ""];
        return fresh || (!onlyServer && previewReady && tile.dataset.preview === "true");
      });
    },
    [before, previewKey, serverOnly] as const,
    { timeout: 120_000, polling: 20 },
  );
}

async function openEditor(url: string): Promise<Page> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(url);
  await page.getByTestId("connection").filter({ hasText: "synced" }).waitFor({ timeout: 120_000 });
  return page;
}

async function paintAndExecute(page: Page): Promise<void> {
  const drag = async (seed: number, points: [number, number][]) => {
    const box = (await page.getByTestId(`paint-${seed}`).boundingBox())!;
    const at = ([x, y]: [number, number]) => [box.x + (x / 64) * box.width, box.y + (y / 64) * box.height] as const;
    await page.mouse.move(...at(points[0]!));
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
    await page.mouse.up();
  };
  await page.keyboard.press("c");
  await drag(0, [[18, 18], [30, 22]]);
  await page.keyboard.press("p");
  await drag(3, [[40, 30], [44, 34]]);
  await page.keyboard.press("x");
  await drag(3, [[34, 26], [48, 36]]);
  await drag(5, [[10, 30], [22, 30]]);
  await page.getByTestId("execute").click();
  await page.getByTestId("rule-status").filter({ hasText: /done/i }).waitFor({ timeout: 120_000 });
}

export async function benchPreview(argv: readonly string[]): Promise<unknown> {
  const editors = option(argv, "editors", 3);
  const edits = option(argv, "edits", 12);
  const server = await startServer();
  try {
    const created = (await (await fetch(`${server.url}/api/sessions`, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } })).json()) as CreateSessionResponse;
    const pages = await Promise.all(Array.from({ length: editors }, () => openEditor(server.url + created.editUrl)));
    const [author, ...others] = pages as [Page, ...Page[]];
    await paintAndExecute(author);
    for (const page of pages) await page.getByTestId("rule-status").filter({ hasText: /done/i }).waitFor({ timeout: 120_000 });
    const ruleId = (await author.getByTestId("rule-item").getAttribute("data-rule-id"))!;
    await new Promise((r) => setTimeout(r, 2000));

    const first: number[] = [];
    const authoritative: number[] = [];
    for (let edit = 0; edit < edits; edit++) {
      const strength = edit % 2 === 0 ? "0.5" : "1";
      const key = `${ruleId}:${Number(strength)}`;
      const before = await Promise.all(others.map(serverSources));
      const start = Date.now();
      const waits = others.map(async (page, i) => {
        await gridUpdated(page, before[i]!, key, false);
        first.push(Date.now() - start);
        await gridUpdated(page, before[i]!, key, true);
        authoritative.push(Date.now() - start);
      });
      await author.getByTestId("rule-strength").fill(strength);
      await Promise.all(waits);
      await new Promise((r) => setTimeout(r, 300));
    }
    await Promise.all(pages.map((p) => p.context().browser()?.close()));

    const row = (name: string, values: number[]) => ({
      measure: name,
      samples: values.length,
      p50: percentile(values, 0.5),
      p95: percentile(values, 0.95),
      max: Math.max(...values),
    });
    const rows = [row("first grid update (preview or server)", first), row("server images loaded", authoritative)];
    process.stdout.write(
      `preview bench: ${editors} editors in headless Chromium, ${edits} strength edits, ${others.length} co-editors timed per edit; 2 cores shared with the server\n`,
    );
    process.stdout.write("measure                                   n   p50 ms   p95 ms   max ms\n");
    for (const r of rows) {
      process.stdout.write(`${r.measure.padEnd(40)} ${String(r.samples).padStart(3)} ${String(r.p50).padStart(8)} ${String(r.p95).padStart(8)} ${String(r.max).padStart(8)}\n`);
    }
    process.stdout.write(`target: p95 first update ≤ 1500 ms → ${rows[0]!.p95 <= 1500 ? "met" : "NOT met"}\n`);
    return rows;
  } finally {
    if (server.process.pid) process.kill(-server.process.pid, "SIGTERM");
  }
}
