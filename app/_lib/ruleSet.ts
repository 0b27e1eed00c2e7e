import { z } from "zod";
import { parseRule, type Rule, type RuleContext } from "@/shared/rewrite/rule";
import type { RuleEntry } from "@/shared/protocol";

/**
 * A rule set saved as a JSON file: the rules of a session in order, with
 * their names, switches and strengths, but not their solved deltas (a loaded
 * set is solved again). `parseRuleSet` validates every rule against the
 * model and reports the first problem with its position.
 */

export const RULE_SET_VERSION = 1;

const savedRuleSchema = z.object({
  name: z.string().max(200),
  enabled: z.boolean(),
  strength: z.number().finite().min(-4).max(4),
  spec: z.unknown(),
});

const ruleSetSchema = z.object({
  kind: z.literal("rewrite-rule-set"),
  version: z.literal(RULE_SET_VERSION),
  model: z.string().min(1),
  rules: z.array(savedRuleSchema).max(64),
});

export interface SavedRule {
  readonly name: string;
  readonly enabled: boolean;
  readonly strength: number;
  readonly spec: Rule;
}

export interface RuleSet {
  readonly model: string;
  readonly rules: readonly SavedRule[];
}

export class RuleSetError extends Error {
  readonly code = "INVALID_RULE_SET";
  constructor(message: string) {
    super(message);
    this.name = "RuleSetError";
  }
}

/** The JSON text saved for a session's rules. */
export function serialiseRuleSet(model: string, rules: readonly RuleEntry[]): string {
  const body = {
    kind: "rewrite-rule-set",
    version: RULE_SET_VERSION,
    model,
    rules: rules.map(({ name, enabled, strength, spec }) => ({ name, enabled, strength, spec })),
  };
  return JSON.stringify(body, null, 1);
}

/** Reads a saved rule set for this model; throws RuleSetError on any problem. */
export function parseRuleSet(text: string, context: RuleContext & { model: string }): RuleSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RuleSetError("the file is not JSON");
  }
  const parsed = ruleSetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuleSetError(`not a rule set: ${issue?.path.join(".")} ${issue?.message}`);
  }
  if (parsed.data.model !== context.model) {
    throw new RuleSetError(`the rules are for model "${parsed.data.model}", this session uses "${context.model}"`);
  }
  const rules = parsed.data.rules.map((saved, i) => {
    try {
      return { ...saved, spec: parseRule(saved.spec, context) };
    } catch (error) {
      throw new RuleSetError(`rule ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { model: parsed.data.model, rules };
}
