"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { imagePath, type RuleEntry, type SessionMeta } from "@/shared/protocol";
import type { RuleContext } from "@/shared/rewrite/rule";
import type { ModelManifest } from "@/app/_lib/manifest";
import { chainKey, previewRules, serverRules } from "@/app/_lib/ruleChain";
import { useBrowserRewrite, type BrowserRewrite } from "@/components/preview/useBrowserRewrite";
import { usePreviewEngine, usePreviewImages } from "@/components/preview/usePreview";

export interface GridImages {
  /** Original images rendered in the browser. */
  readonly before: ReadonlyMap<number, Uint8ClampedArray>;
  /** Edited images rendered in the browser (the current rule chain). */
  readonly after: ReadonlyMap<number, Uint8ClampedArray>;
  /** URL of the server's image of a seed (current render, with the token). */
  readonly serverSrc: (seed: number) => string;
  /** Whether the server's images lag behind the rules. */
  readonly serverStale: boolean;
  readonly rewrite: BrowserRewrite;
  readonly context: (RuleContext & { model: string }) | null;
  readonly error: string | null;
}

/**
 * Where the grid's images come from: the server renders the authoritative
 * ones for its last render state; the browser renders the originals and,
 * with the rule chain solved locally, the edited images at once. The
 * server's images are stale while the rules differ from those it last
 * rendered (recorded whenever its render state changes).
 */
export function useGridImages(
  sessionId: string,
  token: string,
  meta: SessionMeta | null,
  manifest: ModelManifest | null,
  seeds: readonly number[],
  rules: readonly RuleEntry[],
  prefetch: boolean,
): GridImages {
  const preview = usePreviewEngine(meta?.model ?? null);
  const originals = usePreviewImages(preview.engine, seeds, {}, "original");
  const context = useMemo(
    () => manifest && { layers: manifest.layers, imageSize: [manifest.resolution, manifest.resolution] as const, model: manifest.name },
    [manifest],
  );
  const chain = previewRules(rules);
  const rewrite = useBrowserRewrite(preview.engine, chain, context, prefetch ? (meta?.layer ?? null) : null);
  const edited = usePreviewImages(preview.engine, seeds, chain.length > 0 ? rewrite.weights : null, rewrite.key);

  const serverKey = chainKey(serverRules(rules));
  const [renderedKey, setRenderedKey] = useState<string | null>(null);
  const renderHash = meta?.render?.rulesHash ?? null;
  useEffect(() => {
    // Only a new render marks what the server has drawn.
    if (renderHash !== null) setRenderedKey(serverKey);
  }, [renderHash]);

  const render = meta?.render;
  const serverSrc = useCallback(
    (seed: number) => {
      const hash = render && render.seeds.includes(seed) ? render.rulesHash : undefined;
      const path = imagePath(sessionId, seed, hash);
      return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    },
    [render, sessionId, token],
  );

  return {
    before: originals.images,
    after: chain.length === 0 ? originals.images : edited.images,
    serverSrc,
    serverStale: renderedKey !== null && renderedKey !== rewrite.key,
    rewrite,
    context,
    error: preview.error ?? rewrite.error ?? edited.error ?? originals.error,
  };
}
