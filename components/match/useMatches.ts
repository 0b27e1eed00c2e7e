"use client";

import { useEffect, useState } from "react";
import { sliceFirst } from "@/shared/linalg/tensor";
import { matchScores, rankSeeds, ruleDirections, type LayerWeights, type Rule, type SeedMatch } from "@/shared/rewrite";
import type { BrowserFeatureSource } from "@/app/_lib/browserSource";
import { heatmapOverlays } from "@/app/_lib/heatmap";

/** The first context direction d of `rule` (null while computing or without a rule). */
export function useContextDirection(
  source: BrowserFeatureSource | null,
  rule: Rule | null,
  weights: LayerWeights | null,
  weightsKey: string,
): { direction: Float64Array | null; key: string; error: string | null } {
  const ruleKey = rule ? JSON.stringify([rule.layer, rule.paste, rule.context]) : "";
  const key = `${ruleKey}#${weightsKey}`;
  const [state, setState] = useState<{ key: string; direction: Float64Array | null; error: string | null }>({
    key: "",
    direction: null,
    error: null,
  });
  useEffect(() => {
    if (!source || !rule || !weights) return;
    let live = true;
    ruleDirections(rule, { source, moments: source.moments, weights }).then(
      (d) => live && setState({ key, direction: d.data.slice(0, d.shape[1]), error: null }),
      (error: unknown) => live && setState({ key, direction: null, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
    // `rule` and `weights` are named by `key`.
  }, [source, key, weights === null]);
  return state.key === key ? state : { key, direction: null, error: null };
}

/** Heatmap overlays (size×size RGBA) of how strongly each grid image matches `direction`. */
export function useGridHeat(
  source: BrowserFeatureSource | null,
  layer: string | null,
  seeds: readonly number[],
  direction: Float64Array | null,
  weights: LayerWeights | null,
  size: number,
): ReadonlyMap<number, Uint8ClampedArray> {
  const [heat, setHeat] = useState<ReadonlyMap<number, Uint8ClampedArray>>(new Map());
  const seedsKey = seeds.join(",");
  useEffect(() => {
    setHeat(new Map());
    if (!source || !layer || !direction || !weights || seedsKey === "") return;
    let live = true;
    const wanted = seedsKey.split(",").map(Number);
    source.features(layer, wanted, weights).then(({ keys }) => {
      if (!live) return;
      const [, , h, w] = keys.shape as [number, number, number, number];
      const scores = wanted.map((_, b) => matchScores(sliceFirst(keys, b), direction));
      const overlays = heatmapOverlays(scores, h, w, size);
      setHeat(new Map(wanted.map((seed, i) => [seed, overlays[i]!])));
    }, () => undefined);
    return () => {
      live = false;
    };
    // `weights` belongs with `direction`, which changes whenever it does.
  }, [source, layer, seedsKey, direction, size]);
  return heat;
}

export interface SearchState {
  readonly running: boolean;
  readonly done: number;
  readonly total: number;
  readonly results: readonly SeedMatch[];
  readonly error: string | null;
}

export const IDLE_SEARCH: SearchState = { running: false, done: 0, total: 0, results: [], error: null };

/** Ranks `seeds` by their best match to `direction` (highest first). */
export async function searchSeeds(
  source: BrowserFeatureSource,
  layer: string,
  seeds: readonly number[],
  direction: Float64Array,
  weights: LayerWeights,
  onState: (state: SearchState) => void,
): Promise<void> {
  onState({ ...IDLE_SEARCH, running: true, total: seeds.length });
  try {
    const results = await rankSeeds(source, layer, seeds, direction, {
      weights,
      batchSize: 16,
      onProgress: (done, total) => onState({ ...IDLE_SEARCH, running: true, done, total }),
    });
    onState({ running: false, done: seeds.length, total: seeds.length, results, error: null });
  } catch (error) {
    onState({ ...IDLE_SEARCH, error: error instanceof Error ? error.message : String(error) });
  }
}
