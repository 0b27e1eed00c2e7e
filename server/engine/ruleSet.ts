/**
 * A session's effective rule set: its enabled, solved rules in order, each
 * a stored delta and a strength. The rule-set hash names it in image URLs
 * and caches; the composed weights are W0 + Σ strength·Λ D per layer.
 */
import { readRules, type RuleEntry, RewriteError } from "@/shared/protocol";
import { composeWeights, type RewriteDelta } from "@/shared/rewrite";
import type { GeneratorModel } from "../model";
import type { ArtifactStore } from "../store/artifactStore";
import type { SessionStore } from "../store/sessionStore";
import { sha256 } from "../store/ids";
import { decodeDelta } from "./deltaCodec";

export interface RuleSetEntry {
  readonly deltaHash: string;
  readonly strength: number;
}

/**
 * The enabled, solved rules in application order; with `beforeRuleId`,
 * only those placed before that rule (the base it is solved on). A rule
 * whose delta is not stored (a client wrote a hash the server never
 * produced) is left out, as if unsolved.
 */
export function effectiveRuleSet(
  artifacts: ArtifactStore,
  rules: readonly RuleEntry[],
  beforeRuleId?: string,
): RuleSetEntry[] {
  const end = beforeRuleId === undefined ? rules.length : rules.findIndex((r) => r.id === beforeRuleId);
  return rules
    .slice(0, end < 0 ? rules.length : end)
    .filter((r) => r.enabled && r.status === "done" && r.deltaHash !== null && r.strength !== 0)
    .filter((r) => artifacts.getDelta(r.deltaHash!) !== null)
    .map((r) => ({ deltaHash: r.deltaHash!, strength: r.strength }));
}

/** Hex SHA-256 naming a model's rule set. */
export function ruleSetHash(model: string, entries: readonly RuleSetEntry[]): string {
  return sha256(JSON.stringify({ model, rules: entries.map((e) => [e.deltaHash, e.strength]) }));
}

/** Loads the deltas of a rule set from the store, with their strengths. */
export function loadDeltas(
  artifacts: ArtifactStore,
  entries: readonly RuleSetEntry[],
): RewriteDelta[] {
  return entries.map((entry) => {
    const stored = artifacts.getDelta(entry.deltaHash);
    if (stored === null) {
      throw new RewriteError("INVALID_RULE", `delta ${entry.deltaHash.slice(0, 12)} is not stored`);
    }
    return { ...decodeDelta(stored.data), strength: entry.strength };
  });
}

/** The edited weights of every layer a delta touches. */
export function composeModelWeights(
  model: GeneratorModel,
  deltas: readonly RewriteDelta[],
): Record<string, Float32Array> {
  return composeWeights(
    (layer) => ({ data: model.originalWeight(layer), shape: model.layer(layer).weight }),
    deltas,
  );
}

/** Records a rule set under its hash so image URLs can name it later. */
export function rememberRuleSet(
  artifacts: ArtifactStore,
  model: string,
  entries: readonly RuleSetEntry[],
): string {
  const hash = ruleSetHash(model, entries);
  artifacts.putRuleSet(hash, model, entries);
  return hash;
}

/** The entries a stored rule-set hash stands for; throws when unknown. */
export function storedRuleSet(
  artifacts: ArtifactStore,
  model: string,
  hash: string,
): RuleSetEntry[] {
  const stored = artifacts.getRuleSet(hash);
  if (stored === null || stored.model !== model) {
    throw new RewriteError("NOT_FOUND", "unknown rule-set hash for this model");
  }
  return stored.body as RuleSetEntry[];
}

/** The effective rule set of a session as of its last stored edit. */
export function sessionRuleSet(
  store: SessionStore,
  artifacts: ArtifactStore,
  sessionId: string,
): RuleSetEntry[] {
  const doc = store.loadDoc(sessionId);
  try {
    return effectiveRuleSet(artifacts, readRules(doc));
  } finally {
    doc.destroy();
  }
}
