/**
 * Jobs of collaborative sessions, on one bounded queue:
 *
 * - solve: started by a client's `rule:execute`. The rule's status and
 *   progress are written into the document (queued → running → done with
 *   `deltaHash`, or failed with `error`), and `job:progress` /
 *   `job:finished` go to every client of the session.
 * - render: started when a change made on this process alters the
 *   session's effective rule set or seeds. Renders the grid, then writes
 *   `session.render` and emits `render:ready`.
 * - image: an HTTP request for an image not yet cached.
 */
import type { Logger } from "pino";
import {
  type JobFinished,
  type JobKind,
  type JobProgress,
  type ProtocolError,
  readRule,
  readRules,
  readSeeds,
  readSessionMeta,
  type RenderReady,
  RewriteError,
  type RuleEntry,
  setRenderState,
  updateRule,
} from "@/shared/protocol";
import type { EngineService } from "../engine/engineService";
import {
  effectiveRuleSet,
  ruleSetHash,
  type RuleSetEntry,
  sessionRuleSet,
  storedRuleSet,
} from "../engine/ruleSet";
import type { ImageSource } from "../http/api";
import type { Room } from "../rooms/room";
import type { RoomRegistry } from "../rooms/roomRegistry";
import type { RuleJobControl } from "../socket/connection";
import type { ArtifactStore } from "../store/artifactStore";
import type { SessionRecord, SessionStore } from "../store/sessionStore";
import type { JobQueue } from "./jobQueue";

/** Sends an event to every client of a session, on every process. */
export interface SessionEmitter {
  progress(sessionId: string, progress: JobProgress): void;
  finished(sessionId: string, finished: JobFinished): void;
  renderReady(sessionId: string, ready: RenderReady): void;
}

export interface SessionJobsOptions {
  readonly queue: JobQueue;
  readonly engine: EngineService;
  readonly rooms: RoomRegistry;
  readonly store: SessionStore;
  readonly artifacts: ArtifactStore;
  readonly emit: SessionEmitter;
  readonly logger: Logger;
  /** Wait this long after a change before re-rendering the grid. */
  readonly renderDelayMs: number;
}

export class SessionJobs implements RuleJobControl, ImageSource {
  private readonly options: SessionJobsOptions;
  private readonly solveJobs = new Map<string, string>();
  private readonly renderTimers = new Map<string, NodeJS.Timeout>();
  private readonly imageJobs = new Map<string, Promise<Uint8Array>>();
  private counter = 0;

  constructor(options: SessionJobsOptions) {
    this.options = options;
  }

  /** Watches a newly loaded room and renders its grid if it is stale. */
  attach(room: Room): void {
    room.onLocalChange(() => this.scheduleRender(room));
    this.scheduleRender(room);
  }

  execute(room: Room, ruleId: string): string {
    const rule = readRule(room.doc, ruleId);
    if (rule === null) throw new RewriteError("RULE_NOT_FOUND");
    const key = `${room.sessionId}/${ruleId}`;
    if (this.solveJobs.has(key)) throw new RewriteError("BUSY", "this rule is already being solved");
    this.options.engine.parse(room.model, rule.spec);

    const jobId = `solve-${++this.counter}-${ruleId}`;
    const started = Date.now();
    const progress = (fraction: number, phase: string) => {
      this.setRule(room, ruleId, { progress: fraction });
      this.options.emit.progress(room.sessionId, {
        sessionId: room.sessionId, jobId, kind: "solve", ruleId, phase, progress: fraction,
      });
    };
    const result = this.options.queue.submit({
      id: jobId,
      run: (context) => this.solve(room, rule, context.signal, context.progress),
      onProgress: progress,
    });
    this.solveJobs.set(key, jobId);
    room.holds++;
    this.setRule(room, ruleId, { status: "queued", progress: 0, error: null });
    void result
      .then(
        (outcome) => {
          this.setRule(room, ruleId, outcome);
          this.finished(room, jobId, "solve", ruleId, started, null);
        },
        (cause: unknown) => {
          const error = this.jobError(cause, room, jobId);
          const status = error.code === "JOB_CANCELLED" ? "cancelled" : "failed";
          this.setRule(room, ruleId, { status, progress: 0, error: { code: error.code, reason: error.detail ?? error.reason } });
          this.finished(room, jobId, "solve", ruleId, started, error);
        },
      )
      .finally(() => {
        this.solveJobs.delete(key);
        this.unhold(room);
      });
    return jobId;
  }

  cancel(room: Room, ruleId: string): boolean {
    const jobId = this.solveJobs.get(`${room.sessionId}/${ruleId}`);
    return jobId !== undefined && this.options.queue.cancel(jobId);
  }

  async png(session: SessionRecord, seed: number, rulesHash: string | null): Promise<{ png: Uint8Array; rulesHash: string }> {
    const { artifacts, engine, queue } = this.options;
    const entries =
      rulesHash === null ? sessionRuleSet(this.options.store, artifacts, session.id) : storedRuleSet(artifacts, session.model, rulesHash);
    const hash = rulesHash ?? ruleSetHash(session.model, entries);
    const cached = artifacts.getImage(session.model, hash, seed);
    if (cached !== null) return { png: cached, rulesHash: hash };

    const id = `image-${session.model}-${hash}-${seed}`;
    let job = this.imageJobs.get(id);
    if (job === undefined) {
      job = queue
        .submit({ id, run: async () => (await engine.render(session.model, entries, [seed])).images.get(seed)! })
        .finally(() => this.imageJobs.delete(id));
      this.imageJobs.set(id, job);
    }
    return { png: await job, rulesHash: hash };
  }

  /** Stops pending render timers (shutdown). */
  close(): void {
    for (const timer of this.renderTimers.values()) clearTimeout(timer);
    this.renderTimers.clear();
  }

  private async solve(
    room: Room,
    rule: RuleEntry,
    signal: AbortSignal,
    progress: (fraction: number, phase: string) => void,
  ): Promise<Partial<RuleEntry>> {
    this.setRule(room, rule.id, { status: "running", progress: 0 });
    const base = effectiveRuleSet(this.options.artifacts, readRules(room.doc), rule.id);
    const started = Date.now();
    const { deltaHash, cached, stageMs, fit } = await this.options.engine.solve({
      model: room.model,
      spec: rule.spec,
      base,
      signal,
      onStage: (stage, fraction) => progress(fraction, stage),
    });
    this.options.logger.info(
      { session: room.sessionId, rule: rule.id, ms: Date.now() - started, cached, stageMs, ...fit },
      "rule solved",
    );
    const current = readRule(room.doc, rule.id);
    if (current !== null && JSON.stringify(current.spec) !== JSON.stringify(rule.spec)) {
      // The rule changed while it was solved; its delta is for the old rule.
      return { status: "draft", progress: 0, deltaHash: null, error: null };
    }
    return { status: "done", progress: 1, deltaHash, error: null };
  }

  private scheduleRender(room: Room): void {
    if (this.renderTimers.has(room.sessionId)) return;
    room.holds++;
    const timer = setTimeout(() => {
      this.renderTimers.delete(room.sessionId);
      try {
        this.startRender(room);
      } finally {
        this.unhold(room);
      }
    }, this.options.renderDelayMs);
    this.renderTimers.set(room.sessionId, timer);
  }

  /** Renders the grid if the document's render state is stale. */
  private startRender(room: Room): void {
    let entries: RuleSetEntry[];
    let seeds: number[];
    let rendered: { rulesHash: string; seeds: number[] } | null;
    try {
      entries = effectiveRuleSet(this.options.artifacts, readRules(room.doc));
      seeds = readSeeds(room.doc);
      rendered = readSessionMeta(room.doc).render;
    } catch (cause) {
      this.options.logger.error({ session: room.sessionId, err: cause }, "cannot read the document to render");
      return;
    }
    const rulesHash = ruleSetHash(room.model, entries);
    if (rendered?.rulesHash === rulesHash && rendered.seeds.join() === seeds.join()) return;

    const id = `render-${room.sessionId}`;
    this.options.queue.cancel(id, new RewriteError("JOB_CANCELLED", "superseded by a newer render"));
    const started = Date.now();
    let result: Promise<unknown>;
    try {
      result = this.options.queue.submit({
        id,
        run: () => this.options.engine.render(room.model, entries, seeds),
      });
    } catch (cause) {
      this.options.logger.warn({ session: room.sessionId, err: cause }, "render not queued");
      return;
    }
    room.holds++;
    void result
      .then(
        () => {
          const ready: RenderReady = { sessionId: room.sessionId, rulesHash, seeds };
          room.change("render", (doc) => setRenderState(doc, { rulesHash, seeds, at: Date.now() }));
          this.options.emit.renderReady(room.sessionId, ready);
          this.options.logger.info(
            { session: room.sessionId, seeds: seeds.length, rules: entries.length, ms: Date.now() - started },
            "grid rendered",
          );
          this.finished(room, id, "render", null, started, null);
        },
        (cause: unknown) => {
          const error = this.jobError(cause, room, id);
          if (error.code !== "JOB_CANCELLED") this.finished(room, id, "render", null, started, error);
        },
      )
      .finally(() => this.unhold(room));
  }

  private setRule(room: Room, ruleId: string, patch: Partial<RuleEntry>): void {
    room.change("job", (doc) => updateRule(doc, ruleId, patch, { source: "server", task: "job" }));
  }

  private finished(
    room: Room,
    jobId: string,
    kind: JobKind,
    ruleId: string | null,
    started: number,
    error: ProtocolError | null,
  ): void {
    const status = error === null ? "done" : error.code === "JOB_CANCELLED" ? "cancelled" : "failed";
    this.options.emit.finished(room.sessionId, {
      sessionId: room.sessionId, jobId, kind, ruleId, status, error, ms: Date.now() - started,
    });
  }

  private jobError(cause: unknown, room: Room, jobId: string): ProtocolError {
    if (cause instanceof RewriteError) {
      this.options.logger.warn({ session: room.sessionId, job: jobId, code: cause.code, detail: cause.detail }, "job refused");
      return cause.toProtocol();
    }
    this.options.logger.error({ session: room.sessionId, job: jobId, err: cause }, "job failed");
    return new RewriteError("JOB_FAILED", cause instanceof Error ? cause.message : String(cause)).toProtocol();
  }

  private unhold(room: Room): void {
    room.holds--;
    this.options.rooms.release(room);
  }
}

