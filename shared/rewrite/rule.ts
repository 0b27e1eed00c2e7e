/**
 * The rewrite rule: a versioned, JSON-serialisable request to change one
 * layer, small enough to live in a Yjs document (masks are bit-packed).
 * `parseRule` checks it against a model's layers and image size.
 */
import { z } from "zod";
import { RuleValidationError, type FieldIssue } from "./errors";
import type { LayerShape } from "./featureSource";
import { decodeMask, maskArea } from "./mask";

/** Most context images one rule may use (the original's rules use 1–34). */
export const MAX_CONTEXT_IMAGES = 32;
/** The largest |strength| a rule may carry (the app's rule list uses the same). */
export const MAX_STRENGTH = 4;

/**
 * Default ridge ("damping"), relative to the energy typical keys have along
 * the context directions (ε = ridge · P · mean dᵀCd, see `engine.ts`).
 *
 * Measured with `npm run bench -- rewrite [--rule FILE]` on the trained
 * town64 (step 8000, conv16, C from 300 seeds, 16 held-out seeds), against
 * the original method (Adam, 2001 steps, lr 0.05 or 0.0021): at ridge 1,
 * goal L1 / mean |Δvalue| held-out were spire-to-dome 0.608 / 0.245 vs
 * 2.156–11.08 / 0.466–1.815; box rule 1.042 / 0.748 vs 1.991–5.162 /
 * 0.684–0.845; remove-windows 0.366 / 0.165 vs 0.451–0.471 / 0.077–0.084
 * (the original changes less there but also erases less). Ridge 0.1 fits
 * a little better (0.529, 0.946, 0.361) for 10–25 % more collateral;
 * ridges ≤ 0.01 act as no damping. `demo-rules --ridges` gave the same
 * segmenter efficacy at 0.1, 0.3 and 1 with the least change outside the
 * part at 1 (models/town64/rules/evaluation.json).
 */
export const DEFAULT_RIDGE = 1;

const maskSchema = z.object({
  width: z.int().positive(),
  height: z.int().positive(),
  bits: z.string().min(1),
});

const seedSchema = z.int().nonnegative().max(2 ** 32 - 1);

const regionSchema = z.object({ seed: seedSchema, mask: maskSchema });

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const ruleSchema = z.object({
  version: z.literal(1),
  name: z.string().optional(),
  model: z.string().min(1),
  layer: z.string().min(1),
  rank: z.int().min(1),
  kind: z.enum(["paste", "erase"]),
  copy: regionSchema.optional(),
  paste: regionSchema.optional(),
  context: z.array(regionSchema).max(MAX_CONTEXT_IMAGES).default([]),
  /** Scales Λ; beyond ±MAX_STRENGTH an edit only amplifies its collateral. */
  strength: finite.pipe(z.number().min(-MAX_STRENGTH).max(MAX_STRENGTH)).default(1),
  solver: z.enum(["l2", "l1"]).default("l2"),
  ridge: finite.pipe(z.number().nonnegative()).default(DEFAULT_RIDGE),
  eraseChannels: z.int().min(1).optional(),
});

export type Rule = z.output<typeof ruleSchema>;
export type RuleInput = z.input<typeof ruleSchema>;
export type Region = z.output<typeof regionSchema>;

export interface RuleContext {
  readonly layers: readonly LayerShape[];
  readonly imageSize: readonly [number, number];
  /** When given, `rule.model` must equal it. */
  readonly model?: string;
}

/**
 * Validates unknown JSON as a rule for this model; throws
 * `RuleValidationError` listing every problem with its field path.
 * Without a `context` entry the paste region is the context (§2.1).
 */
export function parseRule(input: unknown, context: RuleContext): Rule {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) {
    throw new RuleValidationError(
      parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(rule)", message: i.message })),
    );
  }
  const issues = semanticIssues(parsed.data, context);
  if (issues.length > 0) throw new RuleValidationError(issues);
  return parsed.data;
}

function semanticIssues(rule: Rule, ctx: RuleContext): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const layer = ctx.layers.find((l) => l.name === rule.layer);
  if (ctx.model !== undefined && rule.model !== ctx.model) {
    issues.push({ field: "model", message: `rule is for model "${rule.model}", not "${ctx.model}"` });
  }
  if (!layer) {
    const known = ctx.layers.map((l) => l.name).join(", ");
    issues.push({ field: "layer", message: `unknown layer "${rule.layer}" (known: ${known})` });
  }
  const channels = layer?.key[0];
  if (channels !== undefined && rule.rank > channels) {
    issues.push({ field: "rank", message: `rank ${rule.rank} is outside 1..${channels}` });
  }
  issues.push(...kindIssues(rule, channels));

  const regions: [string, Region | undefined][] = [
    ["copy", rule.copy],
    ["paste", rule.paste],
    ...rule.context.map((r, i): [string, Region] => [`context.${i}`, r]),
  ];
  for (const [field, region] of regions) {
    if (region) issues.push(...maskIssues(`${field}.mask`, region, ctx.imageSize));
  }
  issues.push(...duplicateSeedIssues(rule.context));
  return issues;
}

function kindIssues(rule: Rule, channels: number | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!rule.paste) issues.push({ field: "paste", message: `a ${rule.kind} rule needs a paste region` });
  switch (rule.kind) {
    case "paste":
      if (!rule.copy) issues.push({ field: "copy", message: "a paste rule needs a copy region" });
      break;
    case "erase":
      if (rule.eraseChannels === undefined) {
        issues.push({ field: "eraseChannels", message: "an erase rule needs eraseChannels" });
      } else if (channels !== undefined && rule.eraseChannels > channels) {
        issues.push({ field: "eraseChannels", message: `must be at most ${channels}` });
      }
      break;
    default: {
      const never: never = rule.kind;
      throw new Error(`unexpected rule kind ${String(never)}`);
    }
  }
  return issues;
}

function maskIssues(
  field: string,
  region: Region,
  [height, width]: readonly [number, number],
): FieldIssue[] {
  const { mask } = region;
  if (mask.width !== width || mask.height !== height) {
    return [{ field, message: `mask is ${mask.width}×${mask.height}, the model draws at ${width}×${height}` }];
  }
  try {
    if (maskArea(decodeMask(mask)) === 0) return [{ field, message: "mask is empty" }];
  } catch (error) {
    return [{ field, message: error instanceof Error ? error.message : String(error) }];
  }
  return [];
}

function duplicateSeedIssues(context: readonly Region[]): FieldIssue[] {
  const seen = new Set<number>();
  const issues: FieldIssue[] = [];
  context.forEach((region, i) => {
    if (seen.has(region.seed)) {
      issues.push({ field: `context.${i}.seed`, message: `seed ${region.seed} appears twice` });
    }
    seen.add(region.seed);
  });
  return issues;
}

/** The context regions of a rule, defaulting to the paste region. */
export function contextRegions(rule: Rule): readonly Region[] {
  if (rule.context.length > 0) return rule.context;
  return rule.paste ? [rule.paste] : [];
}
