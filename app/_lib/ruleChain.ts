import type { RuleEntry } from "@/shared/protocol";
import { parseRule, type Rule, type RuleContext } from "@/shared/rewrite/rule";

/**
 * Which rules shape the model's images, and a key naming that set.
 *
 * The server renders the enabled rules it has solved ("done"); the browser
 * preview also includes enabled rules still being solved, so an edit shows
 * at once. Keys change exactly when the composed weights would.
 */

function contributes(rule: RuleEntry): boolean {
  return rule.enabled && rule.strength !== 0;
}

/** Rules the server's current images should reflect, in order. */
export function serverRules(rules: readonly RuleEntry[]): RuleEntry[] {
  return rules.filter((r) => contributes(r) && r.status === "done");
}

/** Rules the browser preview composes, in order. */
export function previewRules(rules: readonly RuleEntry[]): RuleEntry[] {
  return rules.filter((r) => contributes(r) && r.status !== "failed" && r.status !== "cancelled");
}

/** Names a rule sequence: ids and strengths, in order. */
export function chainKey(rules: readonly RuleEntry[]): string {
  return rules.map((r) => `${r.id}:${r.strength}`).join("|");
}

/** The engine rules of `entries`, each at its entry's strength. */
export function engineRules(entries: readonly RuleEntry[], context: RuleContext): Rule[] {
  return entries.map((entry) => ({ ...parseRule(entry.spec, context), strength: entry.strength }));
}
