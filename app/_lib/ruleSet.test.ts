import { describe, expect, it } from "vitest";
import { newRuleEntry } from "@/shared/protocol";
import { draftReducer, EMPTY_DRAFT, type Draft } from "./draft";
import { ruleFromDraft } from "./ruleSpec";
import { parseRuleSet, RuleSetError, serialiseRuleSet } from "./ruleSet";

const context = {
  layers: [{ name: "conv16", weight: [128, 128, 3, 3], key: [128, 16, 16], value: [128, 16, 16] }],
  imageSize: [64, 64] as const,
  model: "town64",
};

function painted(): Draft {
  let draft = EMPTY_DRAFT;
  for (const [role, seed] of [["copy", 1], ["paste", 2]] as const) {
    draft = draftReducer(draft, {
      type: "stroke",
      role,
      seed,
      from: { x: 20, y: 20 },
      to: { x: 26, y: 22 },
      radius: 3,
      erase: false,
    });
  }
  return draft;
}

describe("saved rule sets", () => {
  const spec = ruleFromDraft(painted(), { model: "town64", layer: "conv16", rank: 1, solver: "l2", ridge: 0.01 }, context);
  const entries = [
    { ...newRuleEntry("a", spec, "towers"), strength: 0.5 },
    { ...newRuleEntry("b", spec, "off"), enabled: false },
  ];

  it("round-trip names, switches, strengths and rules in order", () => {
    const set = parseRuleSet(serialiseRuleSet("town64", entries), context);
    expect(set.rules.map((r) => [r.name, r.enabled, r.strength])).toEqual([
      ["towers", true, 0.5],
      ["off", false, 1],
    ]);
    expect(set.rules[0]!.spec).toEqual(spec);
  });

  it("refuses a set made for another model", () => {
    const text = serialiseRuleSet("faces", entries);
    expect(() => parseRuleSet(text, context)).toThrow(/faces/);
  });

  it("names the rule that is broken", () => {
    const broken = [entries[0]!, { ...entries[1]!, spec: { ...spec, layer: "conv99" } }];
    expect(() => parseRuleSet(serialiseRuleSet("town64", broken), context)).toThrow(/rule 2: .*conv99/);
  });

  it("refuses text that is not a rule set", () => {
    expect(() => parseRuleSet("{", context)).toThrow(RuleSetError);
    expect(() => parseRuleSet('{"kind":"other"}', context)).toThrow(RuleSetError);
  });
});
