/**
 * Reading rule files for the rewrite commands, and solving them on a loaded
 * model. Shared by `apply`, `compare` and `match`.
 */
import { readFile } from "node:fs/promises";

import { ModelFeatures } from "../../../server/engine/modelFeatures";
import type { GeneratorModel } from "../../../server/model";
import {
  parseRule,
  RewriteError,
  RuleValidationError,
  solveRules,
  type LayerWeights,
  type Rule,
  type RuleSolution,
} from "../../../shared/rewrite";
import { CommandFailure, UsageError, type CliContext } from "../command";

/** Seeds used to estimate C when the model folder has no statistics. */
const FALLBACK_STATS_SEEDS = 300;

export interface LoadedRule {
  readonly file: string;
  readonly rule: Rule;
}

/** Reads and validates rule files against the model; a bad file is a UsageError naming it and the field. */
export async function readRules(files: readonly string[], model: GeneratorModel): Promise<LoadedRule[]> {
  if (files.length === 0) throw new UsageError("name at least one rule file");
  const size = model.manifest.resolution;
  const context = {
    layers: model.layers.map((l) => ({ name: l.name, weight: l.weight, key: l.key, value: l.value })),
    imageSize: [size, size] as const,
    model: model.manifest.name,
  };
  return Promise.all(
    files.map(async (file) => {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new UsageError(`cannot read rule ${file}: ${(error as Error).message}`);
      }
      try {
        return { file, rule: parseRule(json, context) };
      } catch (error) {
        if (error instanceof RuleValidationError) throw new UsageError(`rule ${file}: ${error.message}`);
        throw error;
      }
    }),
  );
}

/** The model's feature source for the engine; C from the folder's statistics or estimated once. */
export function featuresOf(model: GeneratorModel, context: CliContext): ModelFeatures {
  return new ModelFeatures(model, {
    logger: context.logger,
    fallbackSamples: FALLBACK_STATS_SEEDS,
  });
}

/** Solves the rules in order on the model, reporting each rule on stderr. */
export async function solveRuleFiles(
  rules: readonly LoadedRule[],
  source: ModelFeatures,
  context: CliContext,
): Promise<{ solutions: RuleSolution[]; weights: LayerWeights }> {
  try {
    const result = await solveRules(
      rules.map((r) => r.rule),
      {
        source,
        moments: source.moments,
        onProgress: ({ rule, stage }) => {
          if (stage === "features") context.stderr(`solving ${rules[rule]!.file}\n`);
        },
      },
    );
    result.solutions.forEach(({ report }, k) => {
      context.stderr(
        `  ${rules[k]!.file}: ${report.layer}, goal L1 ${report.goalL1Before.toFixed(4)} → ` +
          `${report.goalL1After.toFixed(4)} over ${report.goalCells} cells\n`,
      );
    });
    return result;
  } catch (error) {
    if (error instanceof RewriteError) throw new CommandFailure(error.message);
    throw error;
  }
}
