import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { parseRule } from "../../../shared/rewrite";
import { cli } from "../testSupport";
import { classMask, components, dilate, extent, roofMask, type Labels } from "./sceneMasks";

const MODEL = new URL("../../town64/", import.meta.url).pathname;

describe("the shipped demo rules", () => {
  const manifest = JSON.parse(readFileSync(join(MODEL, "manifest.json"), "utf8")) as {
    name: string;
    resolution: number;
    layers: { name: string; weight: number[]; key: number[]; value: number[] }[];
  };
  const files = readdirSync(join(MODEL, "rules")).filter((f) => f.endsWith(".json") && f !== "evaluation.json");

  it("are four, one of them an erase", () => {
    const rules = files.map((f) => JSON.parse(readFileSync(join(MODEL, "rules", f), "utf8")) as { kind: string });
    expect(files.sort()).toEqual(["dome-to-tree.json", "remove-windows.json", "spire-to-dome.json", "tree-on-roof.json"]);
    expect(rules.filter((r) => r.kind === "erase")).toHaveLength(1);
  });

  it.each(files)("%s is a valid rule for the shipped model", (file) => {
    const json: unknown = JSON.parse(readFileSync(join(MODEL, "rules", file), "utf8"));
    const size = manifest.resolution;
    expect(() => parseRule(json, { layers: manifest.layers, imageSize: [size, size], model: manifest.name })).not.toThrow();
  });
});

describe("npm run cli -- demo-rules", () => {
  const demoRules = (...args: string[]) => cli("demo-rules", ...args);

  it("draws the rules at the asked rank and strength and evaluates each extra strength", () => {
    const out = mkdtempSync(join(tmpdir(), "demo-rules-"));
    try {
      const run = demoRules("--out", out, "--rank", "2", "--strength", "1.5", "--strengths", "3", "--evaluate", "5000-5011");
      expect(run.status, run.stderr).toBe(0);
      const rule = JSON.parse(readFileSync(join(out, "dome-to-tree.json"), "utf8")) as { rank: number; strength: number };
      expect([rule.rank, rule.strength]).toEqual([2, 1.5]);
      const rows = JSON.parse(readFileSync(join(out, "evaluation.json"), "utf8")) as { rule: string; strength: number }[];
      expect(rows.filter((r) => r.rule === "dome-to-tree").map((r) => r.strength)).toEqual([1.5, 3]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses strengths beyond the rule schema's limit, a list for --strength and a repeated flag with status 2", () => {
    const never = join(tmpdir(), "never-written");
    const cases: [string[], string][] = [
      [["--strengths", "2,9"], '--strengths must be a comma-separated list of numbers in range, got "2,9"'],
      [["--strength", "1,3"], '--strength must be one number in (0, 4], got "1,3"'],
      [["--strength", "0x2"], '--strength must be one number in (0, 4], got "0x2"'],
      [["--rank", "2", "--rank", "3"], "--rank is given more than once"],
      [["--strengths", "0x2"], '--strengths must be a comma-separated list of numbers in range, got "0x2"'],
      [["--ridges", ""], '--ridges must be a comma-separated list of numbers in range, got ""'],
    ];
    for (const [args, message] of cases) {
      const run = demoRules("--out", never, ...args);
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});

/** Labels from rows of digits. */
function labels(rows: string[]): Labels {
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.join(""), (c) => Number(c)) };
}

describe("scene masks", () => {
  const scene = labels(["0000000", "0112000", "0110020", "3333333"]);

  it("split a class into 4-connected components, largest first", () => {
    const parts = components(classMask(scene, 1));
    expect(parts).toHaveLength(1);
    const twos = components(classMask(scene, 2));
    expect(twos.map((m) => m.data.reduce((s, v) => s + v, 0))).toEqual([1, 1]);
    expect(extent(parts[0]!)).toEqual({ height: 2, width: 2 });
  });

  it("find roofs as building pixels with sky just above", () => {
    const roof = roofMask(labels(["0000", "0550", "0550"]), 5, [0], 1);
    expect(Array.from(roof.data)).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
  });

  it("grow a mask by a square neighbourhood", () => {
    const grown = dilate(classMask(labels(["000", "010", "000"]), 1), 1);
    expect(Array.from(grown.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
