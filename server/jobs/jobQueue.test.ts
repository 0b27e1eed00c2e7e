import { describe, expect, it } from "vitest";
import { RewriteError } from "@/shared/protocol";
import { type JobContext, JobQueue } from "./jobQueue";

/** A job that finishes when `release` is called (or its signal aborts). */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  let signal: AbortSignal | null = null;
  const run = async (context: JobContext) => {
    signal = context.signal;
    await done;
    return "finished";
  };
  return { run, release, signal: () => signal };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (e: unknown) => (e instanceof RewriteError ? e.code : String(e)),
  );

describe("JobQueue", () => {
  it("runs at most `concurrency` jobs at once, in submission order", async () => {
    const queue = new JobQueue({ concurrency: 1, maxQueued: 5, timeoutMs: 10_000 });
    const order: string[] = [];
    const first = gate();
    const a = queue.submit({ id: "a", run: async (c) => (order.push("a"), first.run(c)) });
    const b = queue.submit({ id: "b", run: async () => (order.push("b"), "b") });
    await Promise.resolve();
    expect(queue.stats).toEqual({ running: 1, queued: 1 });
    first.release();
    expect(await a).toBe("finished");
    expect(await b).toBe("b");
    expect(order).toEqual(["a", "b"]);
  });

  it("refuses with BUSY when every slot and queue place is taken", async () => {
    const queue = new JobQueue({ concurrency: 1, maxQueued: 1, timeoutMs: 10_000 });
    const job = gate();
    const running = queue.submit({ id: "a", run: job.run });
    const queued = queue.submit({ id: "b", run: job.run });
    expect(() => queue.submit({ id: "c", run: job.run })).toThrow(RewriteError);
    expect(() => queue.submit({ id: "a", run: job.run })).toThrow(/already queued/);
    job.release();
    await Promise.all([running, queued]);
  });

  it("cancels a queued job without running it, and aborts a running one", async () => {
    const queue = new JobQueue({ concurrency: 1, maxQueued: 5, timeoutMs: 10_000 });
    const first = gate();
    let secondRan = false;
    const a = queue.submit({ id: "a", run: first.run });
    const b = queue.submit({ id: "b", run: async () => (secondRan = true) });
    expect(queue.cancel("b")).toBe(true);
    expect(await codeOf(b)).toBe("JOB_CANCELLED");
    await Promise.resolve();
    expect(queue.cancel("a")).toBe(true);
    expect(await codeOf(a)).toBe("JOB_CANCELLED");
    expect(first.signal()?.aborted).toBe(true);
    expect(secondRan).toBe(false);
    expect(queue.cancel("nothing")).toBe(false);
    expect(queue.stats).toEqual({ running: 0, queued: 0 });
  });

  it("stops a job past its time limit with JOB_TIMEOUT and frees the slot", async () => {
    const queue = new JobQueue({ concurrency: 1, maxQueued: 5, timeoutMs: 20 });
    const stuck = gate();
    const slow = queue.submit({ id: "slow", run: stuck.run });
    const next = queue.submit({ id: "next", run: async () => "ran" });
    expect(await codeOf(slow)).toBe("JOB_TIMEOUT");
    expect(stuck.signal()?.aborted).toBe(true);
    expect(await next).toBe("ran");
    stuck.release();
  });

  it("reports progress clamped to [0, 1] until the job settles", async () => {
    const queue = new JobQueue({ concurrency: 1, maxQueued: 5, timeoutMs: 1000 });
    const seen: [number, string][] = [];
    let late: JobContext | null = null;
    await queue.submit({
      id: "p",
      run: async (context) => {
        late = context;
        context.progress(0.5, "half");
        context.progress(7, "over");
      },
      onProgress: (fraction, phase) => seen.push([fraction, phase]),
    });
    (late as JobContext | null)?.progress(0.9, "after");
    expect(seen).toEqual([
      [0.5, "half"],
      [1, "over"],
    ]);
  });
});
