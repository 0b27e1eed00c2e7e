import { describe, expect, it } from "vitest";
import { SeedListError } from "@/shared/latent";
import { MAX_SEEDS } from "@/shared/protocol";
import { pageSeeds, seedsFromInput, shuffledSeeds } from "./seeds";

describe("grid seeds", () => {
  it("pages forward and back by the grid's length, never below zero", () => {
    expect(pageSeeds([8, 9, 10, 11], 1)).toEqual([12, 13, 14, 15]);
    expect(pageSeeds([8, 9, 10, 11], -1)).toEqual([4, 5, 6, 7]);
    expect(pageSeeds([2, 3, 4, 5], -1)).toEqual([0, 1, 2, 3]);
  });

  it("reads a typed seed as the start of a page and a list as itself", () => {
    expect(seedsFromInput("100", 3)).toEqual([100, 101, 102]);
    expect(seedsFromInput("3, 10-12", 8)).toEqual([3, 10, 11, 12]);
  });

  it("refuses unreadable text and lists longer than a grid", () => {
    expect(() => seedsFromInput("ten", 4)).toThrow(SeedListError);
    expect(() => seedsFromInput(`0-${MAX_SEEDS}`, 4)).toThrow(SeedListError);
  });

  it("shuffles to distinct seeds", () => {
    let i = 0;
    const sequence = [0.1, 0.1, 0.2, 0.3];
    expect(shuffledSeeds(3, () => sequence[i++]!)).toEqual([1000, 2000, 3000]);
  });
});
