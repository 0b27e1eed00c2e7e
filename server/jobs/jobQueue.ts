/**
 * A bounded job queue: at most `concurrency` jobs run at once, at most
 * `maxQueued` wait; each job gets an AbortSignal, a progress callback and a
 * time limit. A full queue refuses new jobs with BUSY.
 *
 * A job that ignores its signal keeps computing after a timeout or cancel
 * (onnxruntime calls cannot be interrupted), but its slot is freed and its
 * result is discarded.
 */
import { RewriteError } from "@/shared/protocol";

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress in [0, 1] and the name of the current step. */
  progress(fraction: number, phase: string): void;
}

export interface JobSpec<T> {
  readonly id: string;
  readonly run: (context: JobContext) => Promise<T>;
  /** Overrides the queue's default time limit. */
  readonly timeoutMs?: number;
  readonly onProgress?: (fraction: number, phase: string) => void;
}

export interface JobQueueOptions {
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly timeoutMs: number;
}

interface Entry {
  readonly spec: JobSpec<unknown>;
  readonly controller: AbortController;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  settled: boolean;
}

export class JobQueue {
  private readonly options: JobQueueOptions;
  private readonly waiting: Entry[] = [];
  private readonly running = new Map<string, Entry>();
  private closed = false;

  constructor(options: JobQueueOptions) {
    this.options = options;
  }

  get stats(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.waiting.length };
  }

  /** Whether a job with this id is queued or running. */
  has(id: string): boolean {
    return this.running.has(id) || this.waiting.some((e) => e.spec.id === id);
  }

  /** Queues a job; the promise settles with its result or a RewriteError. */
  submit<T>(spec: JobSpec<T>): Promise<T> {
    if (this.closed) throw new RewriteError("BUSY", "the server is shutting down");
    if (this.has(spec.id)) throw new RewriteError("BUSY", `job ${spec.id} is already queued`);
    const full =
      this.running.size >= this.options.concurrency &&
      this.waiting.length >= this.options.maxQueued;
    if (full) throw new RewriteError("BUSY");
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        spec: spec as JobSpec<unknown>,
        controller: new AbortController(),
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
      });
      this.pump();
    });
  }

  /** Cancels a queued or running job; returns false if there is none. */
  cancel(id: string, reason = new RewriteError("JOB_CANCELLED")): boolean {
    const index = this.waiting.findIndex((e) => e.spec.id === id);
    if (index >= 0) {
      const [entry] = this.waiting.splice(index, 1);
      this.settle(entry!, reason, false);
      return true;
    }
    const entry = this.running.get(id);
    if (entry === undefined) return false;
    this.finish(entry, reason, false);
    return true;
  }

  /** Cancels everything and refuses new jobs. */
  close(): void {
    this.closed = true;
    for (const entry of this.waiting.splice(0)) {
      this.settle(entry, new RewriteError("JOB_CANCELLED", "server shutting down"), false);
    }
    for (const entry of [...this.running.values()]) {
      this.finish(entry, new RewriteError("JOB_CANCELLED", "server shutting down"), false);
    }
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency && this.waiting.length > 0) {
      this.start(this.waiting.shift()!);
    }
  }

  private start(entry: Entry): void {
    const { spec, controller } = entry;
    this.running.set(spec.id, entry);
    const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs;
    const timer = setTimeout(
      () => this.finish(entry, new RewriteError("JOB_TIMEOUT", `over ${timeoutMs} ms`), false),
      timeoutMs,
    );
    const context: JobContext = {
      signal: controller.signal,
      progress: (fraction, phase) => {
        if (!entry.settled) spec.onProgress?.(Math.min(1, Math.max(0, fraction)), phase);
      },
    };
    Promise.resolve()
      .then(() => spec.run(context))
      .then(
        (value) => this.finish(entry, value, true),
        (error: unknown) => this.finish(entry, error, false),
      )
      .finally(() => clearTimeout(timer));
  }

  private finish(entry: Entry, outcome: unknown, ok: boolean): void {
    if (entry.settled) return;
    if (!ok) entry.controller.abort(outcome);
    this.running.delete(entry.spec.id);
    this.settle(entry, outcome, ok);
    this.pump();
  }

  private settle(entry: Entry, outcome: unknown, ok: boolean): void {
    if (entry.settled) return;
    entry.settled = true;
    if (ok) entry.resolve(outcome);
    else entry.reject(outcome);
  }
}
