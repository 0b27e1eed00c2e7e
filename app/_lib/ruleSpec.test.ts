import { describe, expect, it } from "vitest";
import { RuleValidationError } from "@/shared/rewrite/errors";
import { draftReducer, EMPTY_DRAFT, type Draft, type DraftAction } from "./draft";
import { contextRuleFromDraft, draftFromRule, ruleFromDraft, type RuleSettings } from "./ruleSpec";

const context = {
  layers: [{ name: "conv16", weight: [128, 128, 3, 3], key: [128, 16, 16], value: [128, 16, 16] }],
  imageSize: [64, 64] as const,
  model: "town64",
};
const settings: RuleSettings = { model: "town64", layer: "conv16", rank: 1, solver: "l1", ridge: 0.05 };

function paint(draft: Draft, role: "copy" | "paste" | "context", seed: number, x: number): Draft {
  const action: DraftAction = {
    type: "stroke",
    role,
    seed,
    from: { x, y: 20 },
    to: { x: x + 6, y: 24 },
    radius: 3,
    erase: false,
  };
  return draftReducer(draft, action);
}

describe("rules built from a painted draft", () => {
  const draft = paint(paint(paint(paint(EMPTY_DRAFT, "copy", 3, 10), "paste", 7, 30), "context", 7, 30), "context", 9, 40);

  it("carry the settings and every region, and decode back to the same masks", () => {
    const rule = ruleFromDraft(draft, settings, context);
    expect(rule).toMatchObject({ kind: "paste", layer: "conv16", rank: 1, solver: "l1", ridge: 0.05 });
    expect(rule.context.map((r) => r.seed)).toEqual([7, 9]);
    const back = draftFromRule(rule);
    expect(back.copy?.seed).toBe(3);
    expect(back.copy?.mask.data).toEqual(draft.copy?.mask.data);
    expect(back.context[1]?.mask.data).toEqual(draft.context[1]?.mask.data);
  });

  it("are refused with a field-by-field error when copy is missing", () => {
    const noCopy = draftReducer(draft, { type: "clear", role: "copy" });
    expect(() => ruleFromDraft(noCopy, settings, context)).toThrow(RuleValidationError);
    expect(() => ruleFromDraft(noCopy, settings, context)).toThrow(/copy/);
  });

  it("are refused for a layer the model does not have", () => {
    expect(() => ruleFromDraft(draft, { ...settings, layer: "conv99" }, context)).toThrow(/conv99/);
  });

  it("keep just the context for matching, falling back to the paste region", () => {
    expect(contextRuleFromDraft(EMPTY_DRAFT, settings)).toBeNull();
    expect(contextRuleFromDraft(draft, settings)?.context.map((r) => r.seed)).toEqual([7, 9]);
    const pasteOnly = paint(EMPTY_DRAFT, "paste", 4, 30);
    const rule = contextRuleFromDraft(pasteOnly, settings);
    expect(rule?.context).toEqual([]);
    expect(rule?.paste?.seed).toBe(4);
  });
});
