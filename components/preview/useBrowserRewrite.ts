"use client";

import { useEffect, useMemo, useState } from "react";
import type { RuleEntry } from "@/shared/protocol";
import { solveRules, type LayerWeights } from "@/shared/rewrite";
import type { RuleContext } from "@/shared/rewrite/rule";
import { BrowserFeatureSource } from "@/app/_lib/browserSource";
import type { GeneratorPreview } from "@/app/_lib/preview";
import { chainKey, engineRules } from "@/app/_lib/ruleChain";

export interface BrowserRewrite {
  readonly source: BrowserFeatureSource | null;
  /** Weights with `rules` applied, or null while solving or unavailable. */
  readonly weights: LayerWeights | null;
  /** Names `weights` (the rule chain it was solved for). */
  readonly key: string;
  /** Progress of estimating C when the model ships no statistics. */
  readonly stats: { done: number; total: number } | null;
  readonly error: string | null;
}

/**
 * Solves `rules` in the browser with the rewrite engine (shared/rewrite)
 * over the preview generator, so edited previews appear before the server's
 * images. The C factors are kept for the page; each change of the rule chain
 * re-solves it (a few forward passes per rule).
 */
export function useBrowserRewrite(
  engine: GeneratorPreview | null,
  rules: readonly RuleEntry[],
  context: RuleContext | null,
  prefetchLayer: string | null = null,
): BrowserRewrite {
  const [stats, setStats] = useState<{ done: number; total: number } | null>(null);
  const source = useMemo(
    () => (engine ? new BrowserFeatureSource(engine, (done, total) => setStats(done < total ? { done, total } : null)) : null),
    [engine],
  );
  const key = chainKey(rules);
  const [solved, setSolved] = useState<{ key: string; weights: LayerWeights | null; error: string | null }>({
    key: "",
    weights: {},
    error: null,
  });

  // Factor C of the session's layer while the user paints, so the first
  // rule's preview does not wait for it.
  useEffect(() => {
    if (source && prefetchLayer) source.moments.get(prefetchLayer).catch(() => undefined);
  }, [source, prefetchLayer]);

  useEffect(() => {
    if (!source || !context) return;
    if (rules.length === 0) {
      setSolved({ key, weights: {}, error: null });
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      (async () => {
        const chain = engineRules(rules, context);
        const { weights } = await solveRules(chain, { source, moments: source.moments });
        if (live) setSolved({ key, weights, error: null });
      })().catch((error: unknown) => {
        if (live) setSolved({ key, weights: null, error: error instanceof Error ? error.message : String(error) });
      });
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // The chain is named by `key`; `rules` changes identity on every render.
  }, [source, context, key]);

  const current = solved.key === key;
  return {
    source,
    weights: current ? solved.weights : null,
    key,
    stats,
    error: current ? solved.error : null,
  };
}
