import { describe, expect, it } from "vitest";

import { formatDuration, formatProgress } from "./progress";

describe("formatProgress", () => {
  it("shows the count, percentage, elapsed time and a linear ETA", () => {
    expect(formatProgress(1000, 10000, 15_000)).toBe("1000/10000 samples (10.0%), 15 s elapsed, ETA 2 min 15 s");
    expect(formatProgress(10000, 10000, 90_000)).toBe("10000/10000 samples (100.0%), 1 min 30 s elapsed, ETA 0 s");
  });

  it("has no ETA before the first item is done", () => {
    expect(formatProgress(0, 10, 0)).toMatch(/ETA unknown$/);
  });
});

describe("formatDuration", () => {
  it("switches units at a minute and an hour", () => {
    expect(formatDuration(59_400)).toBe("59 s");
    expect(formatDuration(65_000)).toBe("1 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
  });
});
