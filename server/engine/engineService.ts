/**
 * The server's use of the rewrite engine: solving one rule on a base rule
 * set, and rendering grid images with a rule set applied. Deltas and images
 * are cached in SQLite by content hash.
 */
import type { Logger } from "pino";
import { latentBatch } from "@/shared/latent";
import { RewriteError } from "@/shared/protocol";
import {
  parseRule,
  RewriteError as EngineError,
  type Rule,
  RuleValidationError,
  solveRule,
  stageClock,
} from "@/shared/rewrite";
import { encodePng, imageToRgba } from "../model";
import type { ModelRegistry } from "../models";
import type { ArtifactStore } from "../store/artifactStore";
import { sha256 } from "../store/ids";
import { encodeDelta } from "./deltaCodec";
import { ModelFeatures } from "./modelFeatures";
import {
  composeModelWeights,
  loadDeltas,
  rememberRuleSet,
  type RuleSetEntry,
} from "./ruleSet";

export interface EngineServiceOptions {
  readonly models: ModelRegistry;
  readonly artifacts: ArtifactStore;
  readonly logger: Logger;
  /** Seeds used to estimate C when a model ships no statistics. */
  readonly statsFallbackSamples: number;
}

export interface SolveRequest {
  readonly model: string;
  /** The rule as stored in the document (`RuleEntry.spec`). */
  readonly spec: unknown;
  /** The rules before it, whose edits it is solved on. */
  readonly base: readonly RuleSetEntry[];
  readonly signal: AbortSignal;
  readonly onStage?: (stage: string, fraction: number) => void;
}

/** Engine stages in order, for progress fractions. */
const STAGES = ["features", "directions", "goal", "solve", "done"];

export interface SolveOutcome {
  readonly deltaHash: string;
  /** The delta was stored already (same rule on the same base). */
  readonly cached: boolean;
  /**
   * Milliseconds per engine stage: features = the forward passes for keys
   * (and, on a layer's first rule, reading and factoring C), then
   * directions, goal and solve.
   */
  readonly stageMs?: Readonly<Record<string, number>>;
  /** Goal cells and mean |goal − output| there before and after, at strength 1. */
  readonly fit?: { layer: string; goalCells: number; goalL1Before: number; goalL1After: number };
}

export class EngineService {
  private readonly features = new Map<string, Promise<ModelFeatures>>();

  constructor(private readonly options: EngineServiceOptions) {}

  /** The model's feature source (loading the model on first use). */
  featuresOf(model: string): Promise<ModelFeatures> {
    let features = this.features.get(model);
    if (features === undefined) {
      features = this.options.models.model(model).then(
        (m) =>
          new ModelFeatures(m, {
            logger: this.options.logger,
            fallbackSamples: this.options.statsFallbackSamples,
          }),
      );
      features.catch(() => this.features.delete(model));
      this.features.set(model, features);
    }
    return features;
  }

  /** Validates a rule against its model; throws INVALID_RULE. */
  parse(model: string, spec: unknown): Rule {
    const { manifest } = this.options.models.entry(model);
    try {
      return parseRule(spec, {
        layers: manifest.layers,
        imageSize: [manifest.resolution, manifest.resolution],
        model,
      });
    } catch (error) {
      if (error instanceof RuleValidationError) throw new RewriteError("INVALID_RULE", error.message);
      throw error;
    }
  }

  /** Content hash of a rule solved on a base: keys the stored delta. */
  ruleHash(model: string, rule: Rule, base: readonly RuleSetEntry[]): string {
    const unscaled = { ...rule, strength: 1, name: undefined };
    return sha256(JSON.stringify({ model, rule: unscaled, base }));
  }

  /**
   * Solves a rule (or finds its stored delta) and returns the delta's hash,
   * with the time of each engine stage and the fit when it was solved now.
   * Strength is not part of the delta; it applies when composing.
   */
  async solve(request: SolveRequest): Promise<SolveOutcome> {
    const rule = this.parse(request.model, request.spec);
    const deltaHash = this.ruleHash(request.model, rule, request.base);
    if (this.options.artifacts.getDelta(deltaHash) !== null) return { deltaHash, cached: true };

    const features = await this.featuresOf(request.model);
    const weights = composeModelWeights(features.model, loadDeltas(this.options.artifacts, request.base));
    request.signal.throwIfAborted();
    const clock = stageClock();
    try {
      const solution = await solveRule(
        { ...rule, strength: 1 },
        {
          source: features,
          moments: features.moments,
          weights,
          onProgress: (progress) => {
            clock.onProgress(progress);
            request.signal.throwIfAborted();
            request.onStage?.(progress.stage, (STAGES.indexOf(progress.stage) + 1) / STAGES.length);
          },
        },
      );
      request.signal.throwIfAborted();
      const { layer, D, lambda } = solution.delta;
      this.options.artifacts.putDelta({
        ruleHash: deltaHash,
        model: request.model,
        layer,
        data: encodeDelta({ layer, D, lambda }),
      });
      const { goalCells, goalL1Before, goalL1After } = solution.report;
      const stageMs = Object.fromEntries(Object.entries(clock.ms).map(([stage, ms]) => [stage, Math.round(ms * 100) / 100]));
      return { deltaHash, cached: false, stageMs, fit: { layer, goalCells, goalL1Before, goalL1After } };
    } catch (error) {
      if (error instanceof EngineError) throw new RewriteError("INVALID_RULE", error.message);
      throw error;
    }
  }

  /**
   * PNGs of `seeds` with a rule set applied, rendering (in one batch) only
   * those not cached yet. Returns the rule-set hash and the PNGs by seed.
   */
  async render(
    model: string,
    entries: readonly RuleSetEntry[],
    seeds: readonly number[],
  ): Promise<{ rulesHash: string; images: Map<number, Uint8Array> }> {
    const { artifacts } = this.options;
    const rulesHash = rememberRuleSet(artifacts, model, entries);
    const images = new Map<number, Uint8Array>();
    for (const seed of seeds) {
      const png = artifacts.getImage(model, rulesHash, seed);
      if (png !== null) images.set(seed, png);
    }
    const missing = [...new Set(seeds.filter((s) => !images.has(s)))];
    if (missing.length === 0) return { rulesHash, images };

    const generator = await this.options.models.model(model);
    const weights = composeModelWeights(generator, loadDeltas(artifacts, entries));
    const { image } = await generator.run(latentBatch(missing, generator.manifest.zDim), weights);
    missing.forEach((seed, index) => {
      const png = encodePng(imageToRgba(image, index));
      artifacts.putImage(model, rulesHash, seed, png);
      images.set(seed, png);
    });
    return { rulesHash, images };
  }
}
