"use client";

import { useCallback, useEffect, useMemo, useReducer, useState } from "react";
import {
  addRule,
  imagePath,
  moveRule,
  newRuleEntry,
  readRules,
  readSeeds,
  readSessionMeta,
  removeRule,
  setLayer,
  setSeeds,
  updateRule,
  type RuleEntry,
  type SessionMeta,
} from "@/shared/protocol";
import { draftReducer, EMPTY_DRAFT, isExecutable, regionMask, type Role } from "@/app/_lib/draft";
import type { Point } from "@/app/_lib/mask";
import type { RoleMask } from "@/app/_lib/overlay";
import { parseRule } from "@/shared/rewrite/rule";
import { contextRuleFromDraft, draftFromRule, ruleFromDraft } from "@/app/_lib/ruleSpec";
import { SearchPanel } from "@/components/match/SearchPanel";
import { HistoryPanel } from "@/components/history/HistoryPanel";
import { readHistory, recordSnapshot, restoreRules, type HistoryEntry } from "@/app/_lib/history";
import { readShare, takeSnapshot } from "@/app/_lib/snapshots";
import { IDLE_SEARCH, searchSeeds, useContextDirection, useGridHeat, type SearchState } from "@/components/match/useMatches";
import { parseRuleSet, serialiseRuleSet } from "@/app/_lib/ruleSet";
import type { SessionClient } from "@/app/_lib/sessionClient";
import { CompareBar } from "@/components/grid/CompareBar";
import { SampleGrid, type GridTileData } from "@/components/grid/SampleGrid";
import type { CompareMode, RemoteCursor } from "@/components/grid/SampleTile";
import { SeedBar } from "@/components/grid/SeedBar";
import { PresenceBar } from "@/components/presence/PresenceBar";
import { useIdentity, usePeers, usePublish } from "@/components/presence/usePresence";
import { usePreviewEngine, usePreviewImages } from "@/components/preview/usePreview";
import { useBrowserRewrite } from "@/components/preview/useBrowserRewrite";
import { chainKey, previewRules, serverRules } from "@/app/_lib/ruleChain";
import { RuleList, type RuleListActions } from "@/components/rules/RuleList";
import { useDocValue } from "@/components/session/useDocValue";
import { useRuleUndo } from "@/components/session/useRuleUndo";
import { useSessionClient } from "@/components/session/useSessionClient";
import { ContextTray } from "@/components/tools/ContextTray";
import { RuleSettingsPanel, type SolverSettings } from "@/components/tools/RuleSettingsPanel";
import { ToolPanel } from "@/components/tools/ToolPanel";
import { INITIAL_TOOLS, nextRadius, TOOL_KEYS, type ToolState } from "@/components/tools/tools";
import { EnlargedSample } from "./EnlargedSample";
import { SharePanel } from "./SharePanel";
import { useKeyboard } from "./useKeyboard";
import { useManifest } from "./useManifest";

const NO_RULES: RuleEntry[] = [];
const NO_SEEDS: number[] = [];
const NO_HISTORY: HistoryEntry[] = [];

function newRuleId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `/s/[id]`: connects to the session, then shows the editor. */
export function Editor({ sessionId, token }: { sessionId: string; token: string }) {
  const connection = useSessionClient(sessionId, token);
  if (connection.status === "refused") {
    return (
      <main className="mx-auto max-w-xl p-10" role="alert" data-testid="session-refused">
        <h1 className="text-xl font-semibold">Cannot open this session</h1>
        <p className="mt-2 text-slate-400">{connection.error?.detail ?? connection.error?.reason}</p>
        <a href="/" className="mt-4 inline-block text-sky-400 underline">
          Start a new session
        </a>
      </main>
    );
  }
  if (!connection.client) return null;
  return <EditorBody client={connection.client} token={token} status={connection.status} />;
}

function EditorBody({ client, token, status }: { client: SessionClient; token: string; status: string }) {
  const doc = client.doc;
  const meta = useDocValue<SessionMeta | null>(doc, readSessionMeta, null);
  const seeds = useDocValue(doc, readSeeds, NO_SEEDS);
  const rules = useDocValue(doc, readRules, NO_RULES);
  const history = useDocValue(doc, readHistory, NO_HISTORY);
  const readOnly = client.role !== "edit";
  const manifest = useManifest(meta?.model ?? null);
  const size = manifest?.resolution ?? 64;

  const [draft, dispatch] = useReducer(draftReducer, EMPTY_DRAFT);
  const [tools, setTools] = useState<ToolState>(INITIAL_TOOLS);
  const [solver, setSolver] = useState<SolverSettings>({ rank: 1, solver: "l2", ridge: 0.01 });
  const [mode, setMode] = useState<CompareMode>("after");
  const [split, setSplit] = useState(0.5);
  const [enlarged, setEnlarged] = useState<number | null>(null);
  const [cursor, setCursor] = useState<{ seed: number; x: number; y: number } | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [following, setFollowing] = useState<number | null>(null);
  const [phases, setPhases] = useState<Record<string, string>>({});
  const [identity, setIdentity] = useIdentity();
  const peers = usePeers(client);
  const undo = useRuleUndo(client);

  // Presence: who I am, where my pointer is, which tool and image.
  usePublish(client, {
    ...(identity ?? {}),
    tool: tools.erase ? `${tools.tool} (erase)` : tools.tool,
    cursor,
    image: enlarged,
    view: { mode, split },
  });

  // Follow mode: mirror the followed person's tool, image and view.
  const leader = peers.find((p) => p.clientId === following) ?? null;
  useEffect(() => {
    if (following !== null && !leader) setFollowing(null);
    if (!leader) return;
    const { state } = leader;
    if (state.image !== undefined) setEnlarged(state.image ?? null);
    const tool = state.tool?.split(" ")[0];
    if (tool === "copy" || tool === "paste" || tool === "context" || tool === "none") {
      setTools((t) => ({ ...t, tool }));
    }
    const view = (state as { view?: { mode?: unknown; split?: unknown } }).view;
    if (view?.mode === "after" || view?.mode === "before" || view?.mode === "split") setMode(view.mode);
    if (typeof view?.split === "number") setSplit(view.split);
  }, [leader, following]);

  // Job progress phases from the server, per rule.
  useEffect(() => {
    const offProgress = client.on("progress", (p) => {
      if (p.ruleId) setPhases((old) => ({ ...old, [p.ruleId!]: p.phase }));
    });
    const offError = client.on("error", (e) => setMessage({ text: e.detail ?? e.reason, error: true }));
    const offFinished = client.on("finished", (f) => {
      if (f.kind !== "solve") return;
      if (f.status === "failed" && f.error) setMessage({ text: f.error.detail ?? f.error.reason, error: true });
      else setMessage((m) => (m && !m.error ? null : m));
    });
    return () => {
      offFinished();
      offProgress();
      offError();
    };
  }, [client]);

  // Browser preview: originals now, the server's images when they arrive.
  const preview = usePreviewEngine(meta?.model ?? null);
  const originals = usePreviewImages(preview.engine, seeds, {}, "original");
  const before = originals.images;
  const ruleContext = useMemo(
    () =>
      manifest && {
        layers: manifest.layers,
        imageSize: [manifest.resolution, manifest.resolution] as const,
        model: manifest.name,
      },
    [manifest],
  );
  const previewChain = previewRules(rules);
  const rewrite = useBrowserRewrite(preview.engine, previewChain, ruleContext, readOnly ? null : (meta?.layer ?? null));
  const edited = usePreviewImages(preview.engine, seeds, previewChain.length > 0 ? rewrite.weights : null, rewrite.key);
  const afterPreview = previewChain.length === 0 ? before : edited.images;
  const previewError = rewrite.error ?? edited.error ?? originals.error;

  // The server's images are stale while the rules differ from those it
  // last rendered (recorded whenever its render state changes).
  const serverKey = chainKey(serverRules(rules));
  const [renderedKey, setRenderedKey] = useState<string | null>(null);
  const renderHash = meta?.render?.rulesHash ?? null;
  useEffect(() => {
    if (renderHash !== null) setRenderedKey(serverKey);
    // Only a new render marks what the server has drawn.
  }, [renderHash]);
  const serverStale = renderedKey !== null && renderedKey !== rewrite.key;

  // Context matching: the draft's context direction, over the edited model.
  const [showHeat, setShowHeat] = useState(false);
  const [search, setSearch] = useState<SearchState>(IDLE_SEARCH);
  const matchRule = useMemo(() => {
    if (!manifest || !meta) return null;
    return contextRuleFromDraft(draft, { model: manifest.name, layer: meta.layer, ...solver });
  }, [draft, manifest, meta, solver]);
  const match = useContextDirection(rewrite.source, matchRule, rewrite.weights, rewrite.key);
  const heat = useGridHeat(
    rewrite.source,
    showHeat ? (meta?.layer ?? null) : null,
    seeds,
    match.direction,
    rewrite.weights,
    size,
  );
  const runSearch = (count: number) => {
    if (!rewrite.source || !match.direction || !rewrite.weights || !meta) return;
    const candidates = Array.from({ length: count }, (_, i) => i);
    searchSeeds(rewrite.source, meta.layer, candidates, match.direction, rewrite.weights, setSearch).catch(() => undefined);
  };

  const serverSrc = useCallback(
    (seed: number) => {
      const render = meta?.render;
      const hash = render && render.seeds.includes(seed) ? render.rulesHash : undefined;
      const path = imagePath(client.sessionId, seed, hash);
      return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    },
    [meta?.render, client.sessionId, token],
  );

  const masksOn = useCallback(
    (seed: number): RoleMask[] =>
      // Context first, so the copy and paste marks stay visible on top.
      (["context", "copy", "paste"] as const).flatMap((role: Role) => {
        const mask = regionMask(draft, role, seed);
        return mask ? [{ role, mask }] : [];
      }),
    [draft],
  );

  const cursorsOn = (seed: number): RemoteCursor[] =>
    peers.flatMap(({ clientId, state }) =>
      state.cursor && state.cursor.seed === seed
        ? [{ id: clientId, name: state.name ?? "", colour: state.colour ?? "#94a3b8", at: state.cursor }]
        : [],
    );

  const tiles: GridTileData[] = seeds.map((seed) => ({
    seed,
    serverSrc: serverSrc(seed),
    after: afterPreview.get(seed) ?? null,
    serverStale,
    before: before.get(seed) ?? null,
    masks: masksOn(seed),
    heatmap: showHeat ? (heat.get(seed) ?? null) : null,
    cursors: cursorsOn(seed),
  }));

  const modifier = useKeyboard((key, event) => {
    if ((event.ctrlKey || event.metaKey) && key === "z") {
      event.preventDefault();
      if (!readOnly) (event.shiftKey ? undo.redo : undo.undo)();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (key === "escape") setEnlarged(null);
    if (key === "m") setShowHeat((on) => !on);
    if (readOnly) return;
    const tool = TOOL_KEYS[key];
    if (tool) setTools((t) => ({ ...t, tool }));
    if (key === "e") setTools((t) => ({ ...t, erase: !t.erase }));
    if (key === "b") setTools((t) => ({ ...t, radius: nextRadius(t.radius) }));
  });

  const stroke = (seed: number, from: Point, to: Point) => {
    if (readOnly || tools.tool === "none") return;
    setFollowing(null);
    dispatch({ type: "stroke", role: tools.tool, seed, from, to, radius: tools.radius, erase: tools.erase || modifier.current });
  };

  const hover = (seed: number, at: Point | null) =>
    setCursor(at ? { seed, x: Math.round(at.x * 10) / 10, y: Math.round(at.y * 10) / 10 } : null);

  const local = client.localOrigin;

  const execute = async () => {
    if (!manifest || !ruleContext || !meta) return;
    try {
      const spec = ruleFromDraft(draft, { model: manifest.name, layer: meta.layer, ...solver }, ruleContext);
      const id = newRuleId();
      undo.separate();
      addRule(doc, newRuleEntry(id, spec, `Rule ${rules.length + 1}`), local);
      dispatch({ type: "reset" });
      await client.flush();
      await client.execute(id);
      setMessage({ text: "Solving the rule on the server…", error: false });
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
    }
  };

  const ruleActions: RuleListActions = {
    rename: (id, name) => {
      undo.separate();
      updateRule(doc, id, { name }, local);
    },
    setEnabled: (id, enabled) => {
      undo.separate();
      updateRule(doc, id, { enabled }, local);
    },
    setStrength: (id, strength) => updateRule(doc, id, { strength }, local),
    remove: (id) => {
      undo.separate();
      removeRule(doc, id, local);
    },
    move: (id, index) => {
      undo.separate();
      moveRule(doc, id, index, local);
    },
    show: (id) => {
      const rule = rules.find((r) => r.id === id);
      if (!rule || !ruleContext) return;
      try {
        const shown = draftFromRule(parseRule(rule.spec, ruleContext));
        dispatch({ type: "replace", draft: shown });
        setMessage({ text: `Showing the masks of "${rule.name}"; Execute would add them as a new rule.`, error: false });
      } catch (error) {
        setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
      }
    },
    retry: (id) => {
      client.execute(id).catch(() => undefined);
    },
    undo: undo.undo,
    redo: undo.redo,
    save: () => {
      if (!meta) return;
      const blob = new Blob([serialiseRuleSet(meta.model, rules)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${meta.title || "rules"}.json`;
      link.click();
      URL.revokeObjectURL(link.href);
    },
    load: async (text) => {
      if (!ruleContext) return;
      try {
        const set = parseRuleSet(text, ruleContext);
        const ids = set.rules.map(() => newRuleId());
        doc.transact(() => {
          set.rules.forEach((saved, i) =>
            addRule(doc, { ...newRuleEntry(ids[i]!, saved.spec, saved.name), enabled: saved.enabled, strength: saved.strength }, local),
          );
        }, local);
        await client.flush();
        await Promise.all(ids.map((id) => client.execute(id)));
        setMessage({ text: `Loaded ${ids.length} rule(s); solving them on the server.`, error: false });
      } catch (error) {
        setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
      }
    },
  };

  const [historyBusy, setHistoryBusy] = useState(false);
  const snapshot = async (): Promise<string | null> => {
    setHistoryBusy(true);
    try {
      const { shareId } = await takeSnapshot(client.sessionId, token);
      const entry = { shareId, at: Date.now(), by: identity?.name ?? "", rules: rules.length, note: "" };
      recordSnapshot(doc, entry, local);
      return shareId;
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
      return null;
    } finally {
      setHistoryBusy(false);
    }
  };
  const restore = async (entry: HistoryEntry) => {
    setHistoryBusy(true);
    try {
      const share = await readShare(entry.shareId);
      undo.separate();
      restoreRules(doc, share.rules, local);
      setMessage({ text: `Restored the ${share.rules.length} rule(s) of ${new Date(entry.at).toLocaleTimeString()} (Undo reverts).`, error: false });
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
    } finally {
      setHistoryBusy(false);
    }
  };

  const imageFor = (seed: number) => before.get(seed) ?? null;
  const executable = isExecutable(draft) && !readOnly && !!manifest;
  const enlargedTile = enlarged === null ? null : (tiles.find((t) => t.seed === enlarged) ?? {
    seed: enlarged,
    serverSrc: serverSrc(enlarged),
    after: null,
    serverStale: false,
    before: null,
    masks: masksOn(enlarged),
    heatmap: null,
    cursors: cursorsOn(enlarged),
  });

  return (
    <div
      className="flex h-screen flex-col"
      data-testid="editor"
      data-role={client.role ?? ""}
      data-status={status}
      data-preview-state={rewrite.error ? "error" : rewrite.weights ? `ready:${rewrite.key}` : "solving"}
    >
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-800 px-4 py-2">
        <a href="/" className="font-semibold tracking-tight">
          Rewrite
        </a>
        <span className="text-sm text-slate-400" data-testid="session-title">
          {meta?.title || `Session ${client.sessionId.slice(0, 8)}`} · {meta?.model} · {meta?.layer}
        </span>
        <span
          className={`rounded px-1.5 text-xs ${status === "synced" ? "bg-emerald-900 text-emerald-200" : "bg-amber-900 text-amber-200"}`}
          data-testid="connection"
        >
          {status}
          {readOnly ? " · view only" : ""}
        </span>
        <span className="flex-1" />
        <PresenceBar
          me={identity}
          peers={peers}
          onRename={(name) => identity && setIdentity({ ...identity, name })}
          following={following}
          onFollow={setFollowing}
        />
        <SharePanel
          client={client}
          token={token}
          readOnly={readOnly}
          rulesHash={meta?.render?.rulesHash ?? null}
          onSnapshot={snapshot}
        />
      </header>

      {message && (
        <div
          role={message.error ? "alert" : "status"}
          className={`flex items-center justify-between px-4 py-1 text-sm ${message.error ? "bg-rose-950 text-rose-200" : "bg-sky-950 text-sky-200"}`}
          data-testid="message"
        >
          {message.text}
          <button type="button" onClick={() => setMessage(null)} aria-label="Dismiss" className="px-2">
            ×
          </button>
        </div>
      )}

      <div className="flex min-h-0 flex-1">
        <aside className="flex w-64 shrink-0 flex-col gap-4 overflow-y-auto border-r border-slate-800 p-3 xl:w-72">
          <ToolPanel tools={tools} onChange={setTools} disabled={readOnly} />
          {manifest && meta && (
            <RuleSettingsPanel
              layers={manifest.layers.map((l) => l.name)}
              layer={meta.layer}
              onLayer={(layer) => setLayer(doc, layer, local)}
              settings={solver}
              onSettings={setSolver}
              disabled={readOnly}
            />
          )}
          <DraftSummary draft={draft} onClear={(role) => dispatch({ type: "clear", role })} readOnly={readOnly} />
          <ContextTray
            regions={draft.context}
            imageFor={imageFor}
            size={size}
            onRemove={(seed) => dispatch({ type: "clear", role: "context", seed })}
            disabled={readOnly}
          />
          <button
            type="button"
            disabled={!executable}
            onClick={execute}
            className="rounded bg-emerald-600 px-3 py-2 font-medium hover:bg-emerald-500 disabled:opacity-40"
            data-testid="execute"
            title={executable ? "Solve this rule and add it to the session" : "Paint a copy and a paste region first"}
          >
            Execute
          </button>
        </aside>

        <main className="flex min-w-0 flex-1 flex-col gap-3 overflow-y-auto p-4">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <SeedBar seeds={seeds} onSeeds={(next) => setSeeds(doc, next, local)} disabled={readOnly} />
            <CompareBar mode={mode} onMode={setMode} split={split} onSplit={setSplit} />
          </div>
          {rewrite.stats && (
            <p className="text-xs text-slate-400" data-testid="stats-progress">
              Preparing the browser preview: key statistics {rewrite.stats.done}/{rewrite.stats.total} samples…
            </p>
          )}
          {previewError && <p className="text-xs text-amber-300">Browser preview failed: {previewError}</p>}
          {preview.status === "failed" && (
            <p className="text-xs text-amber-300">Browser preview unavailable ({preview.error}); showing server images only.</p>
          )}
          <SampleGrid
            tiles={tiles}
            size={size}
            mode={mode}
            split={split}
            painting={!readOnly && tools.tool !== "none"}
            selected={enlarged}
            onStroke={stroke}
            onHover={hover}
            onEnlarge={setEnlarged}
          />
        </main>

        <aside className="flex w-72 shrink-0 flex-col gap-4 overflow-y-auto border-l border-slate-800 p-3 xl:w-80">
          <RuleList rules={rules} actions={ruleActions} canUndo={undo.canUndo} canRedo={undo.canRedo} readOnly={readOnly} />
          <JobPhases rules={rules} phases={phases} />
          <HistoryPanel entries={history} onSnapshot={snapshot} onRestore={restore} readOnly={readOnly} busy={historyBusy} />
          <SearchPanel
            available={match.direction !== null}
            reason={
              matchRule === null
                ? "Paint context (X) or a paste region to match it across images."
                : match.error ?? (match.direction === null ? "Computing the context key…" : null)
            }
            showHeat={showHeat}
            onShowHeat={setShowHeat}
            search={search}
            onSearch={runSearch}
            onShowResults={(top) => setSeeds(doc, top, local)}
            gridSize={seeds.length}
            readOnly={readOnly}
          />
        </aside>
      </div>

      {enlargedTile && (
        <EnlargedSample
          tile={enlargedTile}
          size={size}
          mode={mode}
          split={split}
          painting={!readOnly && tools.tool !== "none"}
          onStroke={stroke}
          onHover={hover}
          onClose={() => {
            setEnlarged(null);
            setFollowing(null);
          }}
        />
      )}
    </div>
  );
}

function DraftSummary({
  draft,
  onClear,
  readOnly,
}: {
  draft: typeof EMPTY_DRAFT;
  onClear: (role: Role) => void;
  readOnly: boolean;
}) {
  const rows: [Role, string, string][] = [
    ["copy", "Copy", draft.copy ? `#${draft.copy.seed}` : "—"],
    ["paste", "Paste", draft.paste ? `#${draft.paste.seed}` : "—"],
  ];
  return (
    <section className="flex flex-col gap-1 text-xs" aria-label="Draft rule" data-testid="draft-summary">
      {rows.map(([role, label, value]) => (
        <div key={role} className="flex items-center justify-between">
          <span className={role === "copy" ? "text-copy" : "text-paste"}>{label}</span>
          <span className="font-mono" data-testid={`draft-${role}`}>
            {value}
          </span>
          {!readOnly && value !== "—" && (
            <button type="button" onClick={() => onClear(role)} className="text-slate-500 hover:text-rose-400">
              clear
            </button>
          )}
        </div>
      ))}
    </section>
  );
}

function JobPhases({ rules, phases }: { rules: readonly RuleEntry[]; phases: Record<string, string> }) {
  const running = rules.filter((r) => r.status === "running" || r.status === "queued");
  if (running.length === 0) return null;
  return (
    <section className="text-xs text-slate-400" data-testid="jobs">
      {running.map((r) => (
        <p key={r.id}>
          {r.name || r.id}: {r.status} {phases[r.id] ? `· ${phases[r.id]}` : ""} {Math.round(r.progress * 100)}%
        </p>
      ))}
    </section>
  );
}
