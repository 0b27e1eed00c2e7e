"use client";

import { useEffect, useState } from "react";
import { GeneratorPreview, type LayerWeights } from "@/app/_lib/preview";

export type PreviewStatus = "loading" | "ready" | "failed";

/**
 * The browser generator for `model`, loaded once per page (graph and
 * weights are then reused for every render).
 */
export function usePreviewEngine(model: string | null): {
  engine: GeneratorPreview | null;
  status: PreviewStatus;
  error: string | null;
} {
  const [state, setState] = useState<{ engine: GeneratorPreview | null; status: PreviewStatus; error: string | null }>({
    engine: null,
    status: "loading",
    error: null,
  });
  useEffect(() => {
    if (!model) return;
    let live = true;
    GeneratorPreview.load(model).then(
      (engine) => live && setState({ engine, status: "ready", error: null }),
      (error: unknown) =>
        live && setState({ engine: null, status: "failed", error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [model]);
  return state;
}

export interface PreviewImages {
  readonly images: ReadonlyMap<number, Uint8ClampedArray>;
  /** Why rendering stopped, if it did; tiles keep their placeholders. */
  readonly error: string | null;
}

/** Seeds per preview batch: small, so the first images show quickly. */
const BATCH = 4;

/**
 * Browser-rendered images of `seeds` under `weights` (null: don't render),
 * filled in batch by batch. `weightsKey` names the weights; images are
 * re-rendered only when it or the seeds change.
 */
export function usePreviewImages(
  engine: GeneratorPreview | null,
  seeds: readonly number[],
  weights: LayerWeights | null,
  weightsKey: string,
): PreviewImages {
  const [images, setImages] = useState<ReadonlyMap<number, Uint8ClampedArray>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const seedsKey = seeds.join(",");

  useEffect(() => {
    if (!engine || weights === null) {
      setImages(new Map());
      return;
    }
    let live = true;
    setError(null);
    const wanted = seedsKey === "" ? [] : seedsKey.split(",").map(Number);
    setImages(new Map());
    (async () => {
      for (let start = 0; start < wanted.length && live; start += BATCH) {
        const batch = wanted.slice(start, start + BATCH);
        const rendered = await engine.render(batch, weights);
        if (!live) return;
        setImages((old) => {
          const next = new Map(old);
          batch.forEach((seed, i) => next.set(seed, rendered[i]!));
          return next;
        });
      }
    })().catch((cause: unknown) => {
      if (live) setError(cause instanceof Error ? cause.message : String(cause));
    });
    return () => {
      live = false;
    };
    // `weights` is deliberately not a dependency: `weightsKey` names it.
  }, [engine, seedsKey, weightsKey, weights === null]);

  return { images, error };
}
