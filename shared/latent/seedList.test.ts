import { describe, expect, it } from "vitest";

import { formatSeedList, parseSeedList, SeedListError } from "./seedList";

describe("parseSeedList", () => {
  it("expands integers and inclusive ranges in the order written", () => {
    expect(parseSeedList("0-3,20,30-31")).toEqual([0, 1, 2, 3, 20, 30, 31]);
    expect(parseSeedList(" 7 ")).toEqual([7]);
  });

  it("keeps a seed named twice once, where it first appears", () => {
    expect(parseSeedList("5,5,3-6,5")).toEqual([5, 3, 4, 6]);
  });

  it("rejects malformed items with the offending text", () => {
    for (const text of ["", "a", "1-", "-1", "3-1", "1,,2", "1.5", "0-x"]) {
      expect(() => parseSeedList(text)).toThrow(SeedListError);
    }
    expect(() => parseSeedList("5-2")).toThrow(/runs backwards/);
  });

  it("rejects seeds beyond 32 bits and lists that are too long", () => {
    expect(() => parseSeedList("4294967296")).toThrow(/2\^32/);
    expect(() => parseSeedList("0-99", { maxCount: 50 })).toThrow(/more than/);
  });
});

describe("formatSeedList", () => {
  it("writes runs as ranges and round-trips through parseSeedList", () => {
    const seeds = [0, 1, 2, 3, 7, 9, 10];
    expect(formatSeedList(seeds)).toBe("0-3,7,9-10");
    expect(parseSeedList(formatSeedList(seeds))).toEqual(seeds);
    expect(formatSeedList(range(10000))).toBe("0-9999");
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
