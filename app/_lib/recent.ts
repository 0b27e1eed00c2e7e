import { z } from "zod";

/**
 * The sessions this browser opened recently, newest first, as stored in
 * localStorage under `RECENT_KEY`. Pure list functions; the page does the
 * storage reads and writes.
 */

export const RECENT_KEY = "rewrite.recentSessions";
/** How many sessions the list keeps. */
export const RECENT_LIMIT = 12;

const recentSchema = z.object({
  id: z.string().min(1),
  token: z.string().min(1),
  /** The view-only token, known to the browser that created the session. */
  viewToken: z.string().min(1).optional(),
  role: z.enum(["edit", "view"]),
  model: z.string(),
  title: z.string(),
  openedAt: z.number(),
});
export type RecentSession = z.infer<typeof recentSchema>;

/** The stored list, dropping entries that do not parse (never throws). */
export function parseRecent(text: string | null): RecentSession[] {
  if (!text) return [];
  try {
    const items: unknown = JSON.parse(text);
    if (!Array.isArray(items)) return [];
    return items.flatMap((item) => {
      const parsed = recentSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  } catch {
    return [];
  }
}

/**
 * `entry` put first, replacing an older entry of the same session unless
 * that one could edit and this one can only view; at most RECENT_LIMIT.
 */
export function rememberSession(list: readonly RecentSession[], entry: RecentSession): RecentSession[] {
  const old = list.find((item) => item.id === entry.id);
  const kept = old && old.role === "edit" && entry.role === "view" ? { ...old, openedAt: entry.openedAt } : entry;
  return [kept, ...list.filter((item) => item.id !== entry.id)].slice(0, RECENT_LIMIT);
}

export function forgetSession(list: readonly RecentSession[], id: string): RecentSession[] {
  return list.filter((item) => item.id !== id);
}
