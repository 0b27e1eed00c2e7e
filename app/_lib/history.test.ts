import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addRule, newRuleEntry, readRules } from "@/shared/protocol";
import { HISTORY_LIMIT, historyArray, readHistory, recordSnapshot, restoreRules } from "./history";

const origin = { source: "local" as const };

function entry(shareId: string, at: number) {
  return { shareId, at, by: "Otter 12", rules: 1, note: "" };
}

describe("session history", () => {
  it("lists snapshots newest first and keeps at most HISTORY_LIMIT", () => {
    const doc = new Y.Doc();
    for (let i = 0; i < HISTORY_LIMIT + 3; i++) recordSnapshot(doc, entry(`s${i}`, i), origin);
    const history = readHistory(doc);
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]!.shareId).toBe(`s${HISTORY_LIMIT + 2}`);
  });

  it("skips malformed entries written by someone else", () => {
    const doc = new Y.Doc();
    historyArray(doc).push([{ shareId: 3 }, entry("ok", 1)]);
    expect(readHistory(doc).map((e) => e.shareId)).toEqual(["ok"]);
  });

  it("restoring replaces the rules in one undoable step", () => {
    const doc = new Y.Doc();
    addRule(doc, newRuleEntry("a", {}, "now"), origin);
    const undo = new Y.UndoManager([doc.getMap("rules"), doc.getArray("ruleOrder")], { trackedOrigins: new Set([origin]) });
    restoreRules(doc, [newRuleEntry("b", {}, "then"), newRuleEntry("c", {}, "then too")], origin);
    expect(readRules(doc).map((r) => r.id)).toEqual(["b", "c"]);
    undo.undo();
    expect(readRules(doc).map((r) => r.id)).toEqual(["a"]);
  });
});
