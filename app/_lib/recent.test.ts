import { describe, expect, it } from "vitest";
import { forgetSession, parseRecent, RECENT_LIMIT, rememberSession, type RecentSession } from "./recent";

function entry(id: string, role: "edit" | "view" = "edit", openedAt = 1): RecentSession {
  return { id, token: `t-${id}-${role}`, role, model: "town64", title: "", openedAt };
}

describe("recent sessions", () => {
  it("puts the newest first and keeps one entry per session", () => {
    const list = rememberSession(rememberSession([entry("a"), entry("b")], entry("b")), entry("c"));
    expect(list.map((s) => s.id)).toEqual(["c", "b", "a"]);
  });

  it("keeps the edit token when the same session is later opened view-only", () => {
    const list = rememberSession([entry("a", "edit", 1)], entry("a", "view", 2));
    expect(list[0]).toMatchObject({ role: "edit", token: "t-a-edit", openedAt: 2 });
  });

  it("holds at most RECENT_LIMIT sessions", () => {
    let list: RecentSession[] = [];
    for (let i = 0; i < RECENT_LIMIT + 5; i++) list = rememberSession(list, entry(`s${i}`));
    expect(list).toHaveLength(RECENT_LIMIT);
    expect(list[0]!.id).toBe(`s${RECENT_LIMIT + 4}`);
  });

  it("reads garbage as an empty list and skips malformed entries", () => {
    expect(parseRecent("not json")).toEqual([]);
    expect(parseRecent('{"a":1}')).toEqual([]);
    expect(parseRecent(JSON.stringify([entry("a"), { id: 3 }]))).toEqual([entry("a")]);
  });

  it("forgets a session by id", () => {
    expect(forgetSession([entry("a"), entry("b")], "a").map((s) => s.id)).toEqual(["b"]);
  });
});
