import { describe, expect, it } from "vitest";
import { draftReducer, EMPTY_DRAFT, isExecutable, regionMask, type DraftAction } from "./draft";
import { maskArea } from "./mask";

function stroke(
  role: "copy" | "paste" | "context",
  seed: number,
  erase = false,
): DraftAction {
  return {
    type: "stroke",
    role,
    seed,
    from: { x: 10, y: 10 },
    to: { x: 20, y: 10 },
    radius: 3,
    erase,
  };
}

describe("the draft rule", () => {
  it("moves copy to the image it was last painted on", () => {
    let draft = draftReducer(EMPTY_DRAFT, stroke("copy", 1));
    draft = draftReducer(draft, stroke("copy", 2));
    expect(draft.copy?.seed).toBe(2);
    expect(regionMask(draft, "copy", 1)).toBeNull();
  });

  it("keeps one context mask per image, in first-painted order", () => {
    let draft = EMPTY_DRAFT;
    for (const seed of [5, 3, 5]) draft = draftReducer(draft, stroke("context", seed));
    expect(draft.context.map((r) => r.seed)).toEqual([5, 3]);
  });

  it("erasing a whole region removes it from the draft", () => {
    let draft = draftReducer(EMPTY_DRAFT, stroke("context", 4));
    draft = draftReducer(draft, stroke("context", 4, true));
    expect(draft.context).toEqual([]);
  });

  it("erasing where nothing was painted changes nothing", () => {
    expect(draftReducer(EMPTY_DRAFT, stroke("paste", 1, true))).toBe(EMPTY_DRAFT);
  });

  it("is executable only with both copy and paste", () => {
    const copied = draftReducer(EMPTY_DRAFT, stroke("copy", 1));
    expect(isExecutable(copied)).toBe(false);
    expect(isExecutable(draftReducer(copied, stroke("paste", 2)))).toBe(true);
  });

  it("clears one context image, or all of a role", () => {
    let draft = draftReducer(EMPTY_DRAFT, stroke("context", 1));
    draft = draftReducer(draft, stroke("context", 2));
    draft = draftReducer(draft, stroke("copy", 2));
    const one = draftReducer(draft, { type: "clear", role: "context", seed: 1 });
    expect(one.context.map((r) => r.seed)).toEqual([2]);
    expect(draftReducer(draft, { type: "clear", role: "copy" }).copy).toBeNull();
    expect(maskArea(regionMask(draft, "copy", 2)!)).toBeGreaterThan(0);
  });
});
