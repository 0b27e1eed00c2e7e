import { decodeMask, encodeMask } from "@/shared/rewrite/mask";
import { parseRule, ruleSchema, type Rule, type RuleContext } from "@/shared/rewrite/rule";
import type { Draft, Region as DraftRegion } from "./draft";
import { maskFromBytes, type Mask } from "./mask";

/**
 * Translation between the painted draft and the engine's rule JSON
 * (shared/rewrite/rule.ts): masks become bit-packed strings, the user's
 * settings become rank, solver and ridge.
 */

/** Solver settings chosen in the tool panel. */
export interface RuleSettings {
  readonly model: string;
  readonly layer: string;
  readonly rank: number;
  readonly solver: "l2" | "l1";
  /** Ridge ("damping") relative to typical key energy; engine default 0.01. */
  readonly ridge: number;
  readonly name?: string;
}

function encodeRegion(region: DraftRegion) {
  const { size, data } = region.mask;
  return { seed: region.seed, mask: encodeMask({ width: size, height: size, data }) };
}

/**
 * The engine rule for a draft, validated against the model (throws the
 * engine's RuleValidationError listing every problem).
 */
export function ruleFromDraft(draft: Draft, settings: RuleSettings, context: RuleContext): Rule {
  const input = {
    version: 1 as const,
    ...(settings.name ? { name: settings.name } : {}),
    model: settings.model,
    layer: settings.layer,
    rank: settings.rank,
    kind: "paste" as const,
    ...(draft.copy ? { copy: encodeRegion(draft.copy) } : {}),
    ...(draft.paste ? { paste: encodeRegion(draft.paste) } : {}),
    context: draft.context.map(encodeRegion),
    solver: settings.solver,
    ridge: settings.ridge,
  };
  return parseRule(input, context);
}

function decodeRegion(region: Rule["context"][number]): DraftRegion {
  const decoded = decodeMask(region.mask);
  if (decoded.width !== decoded.height) {
    throw new RangeError(`mask is ${decoded.width}×${decoded.height}; the editor paints squares`);
  }
  const mask: Mask = maskFromBytes(decoded.data, decoded.width);
  return { seed: region.seed, mask };
}

/** The draft a stored rule was painted from (to show or edit it again). */
export function draftFromRule(rule: Rule): Draft {
  return {
    copy: rule.copy ? decodeRegion(rule.copy) : null,
    paste: rule.paste ? decodeRegion(rule.paste) : null,
    context: rule.context.map(decodeRegion),
  };
}

/**
 * A rule holding only the draft's context (or, without context, its paste
 * region), enough for the engine to find the context directions that match
 * and search use. Null when the draft marks no region for that.
 */
export function contextRuleFromDraft(draft: Draft, settings: RuleSettings): Rule | null {
  if (draft.context.length === 0 && !draft.paste) return null;
  return ruleSchema.parse({
    version: 1,
    model: settings.model,
    layer: settings.layer,
    rank: 1,
    kind: "paste",
    ...(draft.paste ? { paste: encodeRegion(draft.paste) } : {}),
    context: draft.context.map(encodeRegion),
  });
}
