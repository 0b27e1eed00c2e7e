"use client";

import { useMemo, useState } from "react";
import type { Draft } from "@/app/_lib/draft";
import { contextRuleFromDraft } from "@/app/_lib/ruleSpec";
import type { BrowserRewrite } from "@/components/preview/useBrowserRewrite";
import type { SolverSettings } from "@/components/tools/RuleSettingsPanel";
import { IDLE_SEARCH, searchSeeds, useContextDirection, useGridHeat, type SearchState } from "./useMatches";

/**
 * Context matching for the editor: the draft's context direction (over the
 * edited model), the grid heatmaps while `showHeat` is on, and a search over
 * seeds 0..count−1.
 */
export function useDraftMatching(
  rewrite: BrowserRewrite,
  draft: Draft,
  model: string | null,
  layer: string | null,
  solver: SolverSettings,
  seeds: readonly number[],
  size: number,
) {
  const [showHeat, setShowHeat] = useState(false);
  const [search, setSearch] = useState<SearchState>(IDLE_SEARCH);
  const rule = useMemo(
    () => (model && layer ? contextRuleFromDraft(draft, { model, layer, ...solver }) : null),
    [draft, model, layer, solver],
  );
  const match = useContextDirection(rewrite.source, rule, rewrite.weights, rewrite.key);
  const heat = useGridHeat(rewrite.source, showHeat ? layer : null, seeds, match.direction, rewrite.weights, size);

  const runSearch = (count: number) => {
    const { source, weights } = rewrite;
    if (!source || !match.direction || !weights || !layer) return;
    const candidates = Array.from({ length: count }, (_, i) => i);
    searchSeeds(source, layer, candidates, match.direction, weights, setSearch).catch(() => undefined);
  };

  const reason =
    rule === null
      ? "Paint context (X) or a paste region to match it across images."
      : (match.error ?? (match.direction === null ? "Computing the context key…" : null));

  return { showHeat, setShowHeat, heat, search, runSearch, available: match.direction !== null, reason };
}
