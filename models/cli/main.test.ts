import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";

import { cli, ROOT } from "./testSupport";

const scratch = mkdtempSync(join(tmpdir(), "rewrite-cli-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("npm run cli -- sample", () => {
  it("writes a grid PNG of the requested seeds", () => {
    const out = join(scratch, "grid.png");
    const run = cli("sample", "--seeds", "0-2,7", "--out", out, "--scale", "2", "--columns", "2");
    expect(run.stderr).toContain("model town64 on cpu");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`wrote ${out}: 4 images`);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([2 * 128 + 2, 2 * 128 + 2]);
  });

  it.each([
    ["a malformed seed list", ["sample", "--seeds", "3-x", "--out", "g.png"], /cannot read "3-x"/],
    ["a missing --out", ["sample", "--seeds", "0-3"], /missing --out/],
    ["an unknown option", ["sample", "--seeds", "1", "--out", "g.png", "--size", "2"], /Unknown option '--size'/],
    ["a zero scale", ["sample", "--seeds", "1", "--out", "g.png", "--scale", "0"], /--scale must be an integer/],
    ["a huge scale", ["sample", "--seeds", "1", "--out", "g.png", "--scale", "1000"], /--scale must be an integer from 1 to 32/],
  ])("rejects %s with usage help and status 2", (_, args, message) => {
    const run = cli(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("usage: npm run cli -- sample");
    expect(existsSync(join(ROOT, "g.png"))).toBe(false);
  });

  it("says there is no model at a nonexistent folder, with status 1", () => {
    const out = join(scratch, "none.png");
    const run = cli("sample", "--seeds", "0", "--out", out, "--model", join(scratch, "no-model"));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: no model at .*no-model/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("npm run cli -- stats", () => {
  it("caches each layer's second moment in a model folder, with progress on stderr", () => {
    const model = join(scratch, "model");
    cpSync(join(ROOT, "models/town64"), model, { recursive: true });
    const run = cli("stats", "--model", model, "--samples", "4", "--batch", "2");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("stats: 4/4 samples (100.0%)");
    const manifest = JSON.parse(readFileSync(join(model, "manifest.json"), "utf8")) as {
      layers: { name: string; key: number[] }[];
      stats: Record<string, { file: string; samples: number; seeds: string }>;
    };
    for (const layer of manifest.layers) {
      expect(manifest.stats[layer.name]).toMatchObject({ samples: 4, seeds: "0-3" });
      const bytes = statSync(join(model, manifest.stats[layer.name]!.file)).size;
      expect(bytes).toBe(8 * layer.key[0]! ** 2);
      expect(run.stdout).toContain(`wrote stats_${layer.name}.f64`);
    }
  });

  it("rejects a non-numeric sample count with status 2", () => {
    const run = cli("stats", "--samples", "many");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--samples must be an integer ≥ 1, got "many"');
  });
});

describe("npm run cli", () => {
  it("rejects an unknown command and lists the known ones", () => {
    const run = cli("paint");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "paint"');
    expect(run.stderr).toMatch(/sample .*\n[\s\S]*stats /);
  });

  it("prints a command's usage for --help, with status 0", () => {
    const run = cli("stats", "--help");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("usage: npm run cli -- stats [--samples 10000]");
  });

  it("prints help with status 2 when no command is given", () => {
    const run = cli();
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("usage: npm run cli -- <command>");
  });
});
