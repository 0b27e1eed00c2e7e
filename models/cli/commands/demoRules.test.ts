import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { parseRule } from "../../../shared/rewrite";
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
