import * as Y from "yjs";
import { z } from "zod";
import { addRule, readRuleOrder, removeRule, type DocOrigin, type RuleEntry } from "@/shared/protocol";

/**
 * The session's history: snapshots of its rule set, newest last, kept in the
 * shared document (top-level Y.Array "history", an app-level addition next
 * to the server's schema) so every collaborator sees and can restore them.
 * Each entry points at an immutable share (POST /api/sessions/:id/snapshots).
 */

export const HISTORY_KEY = "history";
/** Oldest entries are dropped beyond this many. */
export const HISTORY_LIMIT = 50;

export const historyEntrySchema = z.object({
  shareId: z.string().min(1).max(64),
  at: z.number(),
  by: z.string().max(60),
  rules: z.number().int().nonnegative(),
  note: z.string().max(200),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export function historyArray(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray<unknown>(HISTORY_KEY);
}

/** Valid entries, newest first (malformed ones are skipped). */
export function readHistory(doc: Y.Doc): HistoryEntry[] {
  return historyArray(doc)
    .toArray()
    .flatMap((item) => {
      const parsed = historyEntrySchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    })
    .reverse();
}

export function recordSnapshot(doc: Y.Doc, entry: HistoryEntry, origin: DocOrigin): void {
  const valid = historyEntrySchema.parse(entry);
  doc.transact(() => {
    const array = historyArray(doc);
    array.push([valid]);
    if (array.length > HISTORY_LIMIT) array.delete(0, array.length - HISTORY_LIMIT);
  }, origin);
}

/** Replaces the session's rules by `rules` (in their order), in one transaction. */
export function restoreRules(doc: Y.Doc, rules: readonly RuleEntry[], origin: DocOrigin): void {
  doc.transact(() => {
    for (const id of readRuleOrder(doc)) removeRule(doc, id, origin);
    for (const rule of rules) addRule(doc, rule, origin);
  }, origin);
}
