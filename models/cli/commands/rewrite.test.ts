import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { InferenceSession, Tensor as OrtTensor } from "onnxruntime-node";

import { GeneratorModel } from "../../../server/model";
import { silentLogger } from "../../../server/model/testSupport";
import { latentBatch } from "../../../shared/latent";
import { encodeMask, maskFromBox } from "../../../shared/rewrite";
import { cli, ROOT } from "../testSupport";

const scratch = mkdtempSync(join(tmpdir(), "rewrite-cmd-"));
const model = join(scratch, "model");

function region(seed: number, top: number, left: number, size: number) {
  return { seed, mask: encodeMask(maskFromBox(64, 64, { top, left, bottom: top + size, right: left + size })) };
}

function writeRule(name: string, rule: object): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(rule));
  return file;
}

const rule = {
  version: 1,
  model: "town64",
  layer: "conv16",
  rank: 1,
  kind: "paste",
  copy: region(1, 20, 20, 16),
  paste: region(2, 24, 16, 16),
  context: [2, 3, 4, 5].map((s) => region(s, 24, 16, 16)),
};

beforeAll(() => {
  cpSync(join(ROOT, "models/town64"), model, { recursive: true });
  expect(cli("stats", "--model", model, "--samples", "64").status).toBe(0);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("npm run cli -- apply", () => {
  it("writes a model folder whose rule layer alone has new weights, and names the rule in its manifest", () => {
    const file = writeRule("paste.json", rule);
    const out = join(scratch, "edited");
    const run = cli("apply", file, "--out", out, "--model", model);
    expect(run.stderr).toMatch(/paste\.json: conv16, goal L1 [\d.]+ → [\d.]+ over 16 cells/);
    expect(run.status).toBe(0);
    for (const layer of ["conv8", "conv16", "conv32"]) {
      const same = readFileSync(join(out, `${layer}.weight.f32`)).equals(readFileSync(join(model, `${layer}.weight.f32`)));
      expect(same).toBe(layer !== "conv16");
    }
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { rewrites: { rules: { file: string }[] } };
    expect(manifest.rewrites.rules.map((r) => r.file)).toEqual(["paste.json"]);
    expect(existsSync(join(out, "generator.pt")), "the unedited torch weights are not copied").toBe(false);
  });

  it("applied one folder at a time gives what applying the rules together gives", () => {
    const first = writeRule("first.json", rule);
    const second = writeRule("second.json", { ...rule, layer: "conv32", paste: region(6, 30, 30, 12), context: [region(6, 30, 30, 12)] });
    const one = join(scratch, "one");
    const chained = join(scratch, "chained");
    const together = join(scratch, "together");
    expect(cli("apply", first, "--out", one, "--model", model).status).toBe(0);
    const run = cli("apply", second, "--out", chained, "--model", one);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr, "the kept statistics are current").not.toContain("rerun `npm run stats`");
    expect(cli("apply", first, second, "--out", together, "--model", model).status).toBe(0);
    for (const layer of ["conv16", "conv32"]) {
      const a = new Float32Array(readFileSync(join(chained, `${layer}.weight.f32`)).buffer.slice(0));
      const b = new Float32Array(readFileSync(join(together, `${layer}.weight.f32`)).buffer.slice(0));
      let worst = 0;
      a.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - b[k]!))));
      expect(worst, layer).toBeLessThan(1e-6);
    }
    const manifest = JSON.parse(readFileSync(join(chained, "manifest.json"), "utf8")) as {
      rewrites: { base: string; rules: { file: string }[] };
    };
    expect(manifest.rewrites.base).toBe("town64");
    expect(manifest.rewrites.rules.map((r) => r.file)).toEqual(["first.json", "second.json"]);
  });

  it("keeps only the base statistics that were current for the base", () => {
    const stale = join(scratch, "stale-base");
    cpSync(model, stale, { recursive: true });
    const manifestFile = join(stale, "manifest.json");
    const json = JSON.parse(readFileSync(manifestFile, "utf8")) as { stats: Record<string, { modelSha256: string }> };
    json.stats.conv32!.modelSha256 = "0".repeat(64);
    writeFileSync(manifestFile, JSON.stringify(json));
    const out = join(scratch, "from-stale");
    expect(cli("apply", writeRule("k.json", rule), "--out", out, "--model", stale).status).toBe(0);
    const edited = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { stats: Record<string, unknown> };
    expect(Object.keys(edited.stats).sort()).toEqual(["conv16", "conv8"]);
  });

  it("writes one ONNX file taking only z that draws what the edited folder draws", async () => {
    const file = writeRule("single.json", rule);
    const folder = join(scratch, "single-folder");
    const onnx = join(scratch, "single.onnx");
    expect(cli("apply", file, "--out", folder, "--model", model).status).toBe(0);
    const run = cli("apply", file, "--out", onnx, "--model", model);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("input z [N, 128]");

    const session = await InferenceSession.create(onnx);
    expect(session.inputNames).toEqual(["z"]);
    const z = latentBatch([2, 40], 128);
    const image = (await session.run({ z: new OrtTensor("float32", z, [2, 128]) })).image!.data as Float32Array;
    const edited = await GeneratorModel.load(folder, { logger: silentLogger, executionProvider: "cpu" });
    const original = await GeneratorModel.load(model, { logger: silentLogger, executionProvider: "cpu" });
    try {
      const expected = (await edited.run(z)).image.data;
      const unedited = (await original.run(z)).image.data;
      let worst = 0;
      let changed = 0;
      for (let i = 0; i < image.length; i++) {
        worst = Math.max(worst, Math.abs(image[i]! - expected[i]!));
        changed = Math.max(changed, Math.abs(image[i]! - unedited[i]!));
      }
      expect(worst).toBeLessThan(1e-5);
      expect(changed).toBeGreaterThan(1e-2);
    } finally {
      await edited.release();
      await original.release();
      await session.release();
    }
    const nested = join(scratch, "new", "deeper", "edited.onnx");
    expect(cli("apply", file, "--out", nested, "--model", model).status).toBe(0);
    expect(existsSync(nested)).toBe(true);
    const again = cli("apply", file, "--out", onnx, "--model", model);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("already exists; choose a new file");
  });

  it("refuses an invalid rule with status 2, naming the file and the field, and writes nothing", () => {
    const file = writeRule("bad.json", { ...rule, layer: "conv99" });
    const out = join(scratch, "never");
    const run = cli("apply", file, "--out", out, "--model", model);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rule .*bad\.json: layer: unknown layer "conv99"/);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses to overwrite an existing folder", () => {
    const run = cli("apply", writeRule("again.json", rule), "--out", model, "--model", model);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("already exists");
  });
});

describe("npm run cli -- compare and match", () => {
  it("compare writes a before/after grid with two rows per row of seeds", () => {
    const out = join(scratch, "ba.png");
    const run = cli("compare", "--rules", writeRule("c.json", rule), "--seeds", "0-2", "--out", out, "--model", model, "--scale", "1");
    expect(run.status).toBe(0);
    const png = PNG.sync.read(readFileSync(out));
    expect(png.height).toBeGreaterThan(2 * 64);
    expect(png.width).toBeGreaterThan(3 * 64);
  });

  it("sample --rules writes the same before/after grid as compare", () => {
    const file = writeRule("s.json", rule);
    const viaSample = join(scratch, "via-sample.png");
    const viaCompare = join(scratch, "via-compare.png");
    const common = ["--seeds", "0-2", "--model", model, "--scale", "1"];
    expect(cli("sample", "--rules", file, "--out", viaSample, ...common).status).toBe(0);
    expect(cli("compare", "--rules", file, "--out", viaCompare, ...common).status).toBe(0);
    const a = PNG.sync.read(readFileSync(viaSample));
    const b = PNG.sync.read(readFileSync(viaCompare));
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    expect(Buffer.compare(a.data, b.data)).toBe(0);
    // The lower row (below the 2 px gap) is edited: it differs from the upper one.
    const line = a.width * 4;
    const upper = a.data.subarray(0, 64 * line);
    const lower = a.data.subarray(66 * line, 130 * line);
    expect(upper.length).toBe(lower.length);
    expect(Buffer.compare(upper, lower)).not.toBe(0);
  });

  it("refuses a repeated --rules instead of keeping only the last", () => {
    const a = writeRule("r1.json", rule);
    for (const command of ["sample", "compare"]) {
      const run = cli(command, "--rules", a, "--rules", a, "--seeds", "0", "--out", join(scratch, "r.png"), "--model", model);
      expect(run.status, command).toBe(2);
      expect(run.stderr).toContain("--rules is given more than once");
    }
    const apply = cli("apply", a, "--out", join(scratch, "r1"), "--out", join(scratch, "r2"), "--model", model);
    expect(apply.status).toBe(2);
    expect(apply.stderr).toContain("--out is given more than once");
  });

  it("match prints seeds ranked by score, best first", () => {
    const run = cli("match", writeRule("m.json", rule), "--seeds", "0-39", "--top", "5", "--model", model);
    expect(run.status).toBe(0);
    const rows = run.stdout.split("\n").filter((l) => /^\s+\d+\s+\d+\s+-?[\d.]+/.test(l));
    expect(rows).toHaveLength(5);
    const scores = rows.map((l) => Number(l.trim().split(/\s+/)[2]));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("match refuses a missing --seeds with status 2", () => {
    const run = cli("match", writeRule("m2.json", rule), "--model", model);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing --seeds");
  });
});
