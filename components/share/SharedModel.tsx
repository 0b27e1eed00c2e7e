"use client";

import { useEffect, useMemo, useState } from "react";
import type { CreateSessionResponse, ShareResponse } from "@/shared/protocol/api";
import { isProtocolError } from "@/shared/protocol/errors";
import { parseRecent, RECENT_KEY, rememberSession } from "@/app/_lib/recent";
import { previewRules } from "@/app/_lib/ruleChain";
import { CompareBar } from "@/components/grid/CompareBar";
import { SampleGrid } from "@/components/grid/SampleGrid";
import type { CompareMode } from "@/components/grid/SampleTile";
import { useManifest } from "@/components/editor/useManifest";
import { useBrowserRewrite } from "@/components/preview/useBrowserRewrite";
import { usePreviewEngine, usePreviewImages } from "@/components/preview/usePreview";

async function readError(response: Response): Promise<string> {
  const body: unknown = await response.json().catch(() => null);
  const refusal = (body as { error?: unknown } | null)?.error;
  return isProtocolError(refusal) ? (refusal.detail ?? refusal.reason) : `HTTP ${response.status}`;
}

/**
 * `/m/[id]`: a shared, frozen rule set shown read-only. The edited model is
 * rendered in the browser (the engine re-solves the shared rules); "Fork"
 * starts a new session holding them.
 */
export function SharedModel({ shareId }: { shareId: string }) {
  const [share, setShare] = useState<ShareResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [forking, setForking] = useState(false);
  const [mode, setMode] = useState<CompareMode>("after");
  const [split, setSplit] = useState(0.5);

  useEffect(() => {
    fetch(`/api/shares/${encodeURIComponent(shareId)}`).then(
      async (response) => (response.ok ? setShare((await response.json()) as ShareResponse) : setError(await readError(response))),
      (cause: unknown) => setError(String(cause)),
    );
  }, [shareId]);

  const manifest = useManifest(share?.model ?? null);
  const preview = usePreviewEngine(share?.model ?? null);
  const context = useMemo(
    () => manifest && { layers: manifest.layers, imageSize: [manifest.resolution, manifest.resolution] as const, model: manifest.name },
    [manifest],
  );
  const chain = useMemo(() => previewRules(share?.rules ?? []), [share]);
  const rewrite = useBrowserRewrite(preview.engine, chain, context);
  const seeds = share?.seeds ?? [];
  const before = usePreviewImages(preview.engine, seeds, {}, "original").images;
  const edited = usePreviewImages(preview.engine, seeds, chain.length > 0 ? rewrite.weights : null, rewrite.key).images;
  const after = chain.length === 0 ? before : edited;

  const fork = async () => {
    setForking(true);
    const response = await fetch(`/api/shares/${encodeURIComponent(shareId)}/fork`, { method: "POST" });
    if (!response.ok) {
      setError(await readError(response));
      setForking(false);
      return;
    }
    const session = (await response.json()) as CreateSessionResponse;
    const recent = parseRecent(localStorage.getItem(RECENT_KEY));
    const entry = {
      id: session.id,
      token: session.editToken,
      viewToken: session.viewToken,
      role: "edit" as const,
      model: share?.model ?? "",
      title: share?.title ?? "",
      openedAt: Date.now(),
    };
    localStorage.setItem(RECENT_KEY, JSON.stringify(rememberSession(recent, entry)));
    window.location.assign(session.editUrl);
  };

  if (error) {
    return (
      <main className="mx-auto max-w-xl p-10" role="alert" data-testid="share-error">
        <h1 className="text-xl font-semibold">Cannot show this model</h1>
        <p className="mt-2 text-slate-400">{error}</p>
      </main>
    );
  }

  return (
    <div className="flex min-h-screen flex-col" data-testid="shared-model" data-preview-state={rewrite.weights ? `ready:${rewrite.key}` : "solving"}>
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-800 px-4 py-2">
        <a href="/" className="font-semibold tracking-tight">
          Rewrite
        </a>
        <span className="text-sm text-slate-400">
          Shared model{share?.title ? `: ${share.title}` : ""} · {share?.model} · read-only
        </span>
        <span className="flex-1" />
        <button
          type="button"
          onClick={fork}
          disabled={!share || forking}
          className="rounded bg-emerald-600 px-3 py-1 text-sm font-medium disabled:opacity-40"
          data-testid="fork"
        >
          {forking ? "Forking…" : "Fork into a new session"}
        </button>
      </header>
      <div className="flex flex-1 flex-col gap-4 p-4 lg:flex-row">
        <main className="flex min-w-0 flex-1 flex-col gap-3">
          <div className="flex items-center justify-between">
            <p className="text-xs text-slate-400">
              {rewrite.stats
                ? `Preparing key statistics ${rewrite.stats.done}/${rewrite.stats.total}…`
                : rewrite.error
                  ? `Could not apply the rules: ${rewrite.error}`
                  : chain.length > 0 && !rewrite.weights
                    ? "Applying the rules in your browser…"
                    : "Rendered in your browser."}
            </p>
            <CompareBar mode={mode} onMode={setMode} split={split} onSplit={setSplit} />
          </div>
          <SampleGrid
            tiles={seeds.map((seed) => ({
              seed,
              serverSrc: null,
              after: after.get(seed) ?? null,
              serverStale: false,
              before: before.get(seed) ?? null,
              masks: [],
              heatmap: null,
              cursors: [],
            }))}
            size={manifest?.resolution ?? 64}
            mode={mode}
            split={split}
            painting={false}
            selected={null}
            onStroke={() => undefined}
            onHover={() => undefined}
            onEnlarge={() => undefined}
          />
        </main>
        <aside className="flex w-full flex-col gap-2 lg:w-72" aria-label="Rules">
          <h2 className="text-sm font-semibold">Rules ({share?.rules.length ?? 0})</h2>
          <ol className="flex flex-col gap-1" data-testid="shared-rules">
            {share?.rules.map((rule, i) => (
              <li key={rule.id} className={`rounded bg-slate-900 px-2 py-1 text-sm ${rule.enabled ? "" : "opacity-50"}`} data-testid="shared-rule">
                {rule.name || `Rule ${i + 1}`}
                <span className="ml-2 font-mono text-xs text-slate-400">
                  ×{rule.strength.toFixed(2)} {rule.enabled ? "" : "(off)"}
                </span>
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}
