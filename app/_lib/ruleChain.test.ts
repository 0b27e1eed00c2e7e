import { describe, expect, it } from "vitest";
import { newRuleEntry, type RuleEntry } from "@/shared/protocol";
import { chainKey, previewRules, serverRules } from "./ruleChain";

function rule(id: string, patch: Partial<RuleEntry>): RuleEntry {
  return { ...newRuleEntry(id, {}), ...patch };
}

describe("the rules behind the images", () => {
  const rules = [
    rule("a", { status: "done" }),
    rule("b", { status: "running" }),
    rule("c", { status: "done", enabled: false }),
    rule("d", { status: "failed" }),
    rule("e", { status: "done", strength: 0 }),
  ];

  it("the server shows enabled, solved rules with a nonzero strength", () => {
    expect(serverRules(rules).map((r) => r.id)).toEqual(["a"]);
  });

  it("the preview also shows rules still being solved", () => {
    expect(previewRules(rules).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("the key changes with order and strength, not with status", () => {
    const [a, b] = [rules[0]!, rules[1]!];
    expect(chainKey([a, b])).not.toBe(chainKey([b, a]));
    expect(chainKey([a])).not.toBe(chainKey([{ ...a, strength: 0.5 }]));
    expect(chainKey([a])).toBe(chainKey([{ ...a, status: "queued" }]));
  });
});
