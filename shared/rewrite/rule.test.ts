import { describe, expect, it } from "vitest";
import { RuleValidationError } from "./errors";
import { encodeMask, maskFromBox } from "./mask";
import { DEFAULT_RIDGE, MAX_CONTEXT_IMAGES, parseRule, type RuleInput } from "./rule";
import { pasteRuleInput, regionAt } from "./testing/rules";
import { SyntheticSource } from "./testing/syntheticSource";

const source = new SyntheticSource();
const ctx = { layers: source.layers, imageSize: source.imageSize, model: "synthetic" };

function fieldsOf(input: unknown): string[] {
  try {
    parseRule(input, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleValidationError);
    return (error as RuleValidationError).issues.map((i) => i.field);
  }
  throw new Error("rule was accepted");
}

const emptyMask = encodeMask(maskFromBox(32, 32, { top: 0, left: 0, bottom: 0, right: 0 }));
const base = pasteRuleInput();

describe("parseRule", () => {
  it("accepts a complete paste rule and fills in the defaults", () => {
    const rule = parseRule(base, ctx);
    expect(rule.strength).toBe(1);
    expect(rule.solver).toBe("l2");
    expect(rule.ridge).toBe(DEFAULT_RIDGE);
  });

  it("survives a JSON round trip unchanged", () => {
    const rule = parseRule(base, ctx);
    expect(parseRule(JSON.parse(JSON.stringify(rule)), ctx)).toEqual(rule);
  });

  const cases: [string, RuleInput | Record<string, unknown>, string][] = [
    ["an unknown layer", { ...base, layer: "conv99" }, "layer"],
    ["a rank above the key channels", { ...base, rank: 13 }, "rank"],
    ["rank zero", { ...base, rank: 0 }, "rank"],
    ["a fractional rank", { ...base, rank: 1.5 }, "rank"],
    ["an empty paste mask", { ...base, paste: { seed: 1, mask: emptyMask } }, "paste.mask"],
    ["an empty context mask", { ...base, context: [regionAt(3, { top: 0, left: 0, bottom: 1, right: 1 }), { seed: 5, mask: emptyMask }] }, "context.1.mask"],
    ["a mask of the wrong size", { ...base, copy: { seed: 1, mask: encodeMask(maskFromBox(64, 64, { top: 0, left: 0, bottom: 9, right: 9 })) } }, "copy.mask"],
    ["a negative seed", { ...base, paste: { ...base.paste!, seed: -1 } }, "paste.seed"],
    ["a fractional seed", { ...base, context: [{ ...base.context![0]!, seed: 2.5 }] }, "context.0.seed"],
    ["a non-finite strength", { ...base, strength: Number.POSITIVE_INFINITY }, "strength"],
    ["a strength beyond ±MAX_STRENGTH", { ...base, strength: 1e308 }, "strength"],
    ["a NaN ridge", { ...base, ridge: Number.NaN }, "ridge"],
    ["a negative ridge", { ...base, ridge: -1 }, "ridge"],
    ["too many context images", { ...base, context: Array.from({ length: MAX_CONTEXT_IMAGES + 1 }, (_, i) => regionAt(i, { top: 0, left: 0, bottom: 1, right: 1 })) }, "context"],
    ["a repeated context seed", { ...base, context: [base.context![0]!, base.context![0]!] }, "context.1.seed"],
    ["a paste rule without a copy", { ...base, copy: undefined }, "copy"],
    ["an erase rule without eraseChannels", { ...base, kind: "erase" }, "eraseChannels"],
    ["too many erase channels", { ...base, kind: "erase", eraseChannels: 99 }, "eraseChannels"],
    ["an unknown kind", { ...base, kind: "smudge" }, "kind"],
    ["an unknown solver", { ...base, solver: "l3" }, "solver"],
    ["a wrong version", { ...base, version: 2 }, "version"],
    ["another model's rule", { ...base, model: "church" }, "model"],
    ["bits that are not base64", { ...base, paste: { seed: 1, mask: { width: 32, height: 32, bits: "%%" } } }, "paste.mask"],
  ];
  for (const [what, input, field] of cases) {
    it(`refuses ${what}, naming the field ${field}`, () => {
      expect(fieldsOf(input)).toContain(field);
    });
  }

  it("reports schema errors alone, then every semantic problem at once", () => {
    expect(fieldsOf({ ...base, layer: "x", strength: "strong" }).sort()).toEqual(["strength"]);
    expect(fieldsOf({ ...base, layer: "x", rank: 1, paste: undefined }).sort()).toEqual(["layer", "paste"]);
  });
});
