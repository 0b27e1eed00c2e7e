"use client";

import { useCallback, useEffect, useReducer, useState } from "react";
import { readRules, readSeeds, readSessionMeta, setLayer, setSeeds, type RuleEntry, type SessionMeta } from "@/shared/protocol";
import { draftReducer, EMPTY_DRAFT, isExecutable, regionMask, type Role } from "@/app/_lib/draft";
import { readHistory, type HistoryEntry } from "@/app/_lib/history";
import { parseRecent, RECENT_KEY, rememberSession } from "@/app/_lib/recent";
import type { Point } from "@/app/_lib/mask";
import type { RoleMask } from "@/app/_lib/overlay";
import type { SessionClient } from "@/app/_lib/sessionClient";
import { CompareBar } from "@/components/grid/CompareBar";
import { SampleGrid, type GridTileData } from "@/components/grid/SampleGrid";
import type { CompareMode, RemoteCursor } from "@/components/grid/SampleTile";
import { SeedBar } from "@/components/grid/SeedBar";
import { HistoryPanel } from "@/components/history/HistoryPanel";
import { SearchPanel } from "@/components/match/SearchPanel";
import { useDraftMatching } from "@/components/match/useDraftMatching";
import { PresenceBar } from "@/components/presence/PresenceBar";
import { useIdentity, usePeers, usePublish } from "@/components/presence/usePresence";
import { RuleList } from "@/components/rules/RuleList";
import { useDocValue } from "@/components/session/useDocValue";
import { useRuleUndo } from "@/components/session/useRuleUndo";
import { useSessionClient } from "@/components/session/useSessionClient";
import { ContextTray } from "@/components/tools/ContextTray";
import { RuleSettingsPanel, type SolverSettings } from "@/components/tools/RuleSettingsPanel";
import { ToolPanel } from "@/components/tools/ToolPanel";
import { INITIAL_TOOLS, nextRadius, TOOL_KEYS, type ToolState } from "@/components/tools/tools";
import { EnlargedSample } from "./EnlargedSample";
import { DraftSummary, JobPhases, NoticeBar } from "./EditorParts";
import { SharePanel } from "./SharePanel";
import { useFollow } from "./useFollow";
import { useGridImages } from "./useGridImages";
import { useKeyboard } from "./useKeyboard";
import { useManifest } from "./useManifest";
import { useRuleActions } from "./useRuleActions";
import { useServerEvents } from "./useServerEvents";

const NO_RULES: RuleEntry[] = [];
const NO_SEEDS: number[] = [];
const NO_HISTORY: HistoryEntry[] = [];
/** Draw order of the masks: context first, so copy and paste stay visible. */
const MASK_ORDER: readonly Role[] = ["context", "copy", "paste"];

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

/** Lists the session among this browser's recent ones once the server has let us in. */
function useRememberSession(client: SessionClient, token: string, meta: SessionMeta | null): void {
  const role = client.role;
  const model = meta?.model;
  const title = meta?.title;
  useEffect(() => {
    if (!role || model === undefined) return;
    const recent = parseRecent(localStorage.getItem(RECENT_KEY));
    const known = recent.find((s) => s.id === client.sessionId);
    const entry = {
      ...known,
      id: client.sessionId,
      token,
      role,
      model,
      title: title ?? "",
      openedAt: Date.now(),
    };
    localStorage.setItem(RECENT_KEY, JSON.stringify(rememberSession(recent, entry)));
  }, [client, token, role, model, title]);
}

/**
 * The editor: tools and the draft on the left, the sample grid in the
 * middle, rules, history and matching on the right.
 */
function EditorBody({ client, token, status }: { client: SessionClient; token: string; status: string }) {
  const doc = client.doc;
  const meta = useDocValue<SessionMeta | null>(doc, readSessionMeta, null);
  const seeds = useDocValue(doc, readSeeds, NO_SEEDS);
  const rules = useDocValue(doc, readRules, NO_RULES);
  const history = useDocValue(doc, readHistory, NO_HISTORY);
  const readOnly = client.role !== "edit";
  const manifest = useManifest(meta?.model ?? null);
  const size = manifest?.resolution ?? 64;
  useRememberSession(client, token, meta);

  const [draft, dispatch] = useReducer(draftReducer, EMPTY_DRAFT);
  const [tools, setTools] = useState<ToolState>(INITIAL_TOOLS);
  const [solver, setSolver] = useState<SolverSettings>({ rank: 1, solver: "l2", ridge: 0.01 });
  const [mode, setMode] = useState<CompareMode>("after");
  const [split, setSplit] = useState(0.5);
  const [enlarged, setEnlarged] = useState<number | null>(null);
  const [cursor, setCursor] = useState<{ seed: number; x: number; y: number } | null>(null);
  const [identity, setIdentity] = useIdentity();
  const peers = usePeers(client);
  const undo = useRuleUndo(client);
  const { phases, notice, setNotice } = useServerEvents(client);
  const setTool = useCallback((tool: ToolState["tool"]) => setTools((t) => ({ ...t, tool })), []);
  const follow = useFollow(peers, { setEnlarged, setTool, setMode, setSplit });

  usePublish(client, {
    ...(identity ?? {}),
    tool: tools.erase ? `${tools.tool} (erase)` : tools.tool,
    cursor,
    image: enlarged,
    view: { mode, split },
  });

  const images = useGridImages(client.sessionId, token, meta, manifest, seeds, rules, !readOnly);
  const { rewrite } = images;
  const matching = useDraftMatching(rewrite, draft, manifest?.name ?? null, meta?.layer ?? null, solver, seeds, size);
  const actions = useRuleActions({
    client,
    token,
    meta,
    context: images.context,
    rules,
    draft,
    dispatch,
    solver,
    undo,
    author: identity?.name ?? "",
    notify: setNotice,
  });

  const modifier = useKeyboard((key, event) => {
    if ((event.ctrlKey || event.metaKey) && key === "z") {
      event.preventDefault();
      if (!readOnly) (event.shiftKey ? undo.redo : undo.undo)();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (key === "escape") setEnlarged(null);
    if (key === "m") matching.setShowHeat((on) => !on);
    if (readOnly) return;
    const tool = TOOL_KEYS[key];
    if (tool) setTool(tool);
    if (key === "e") setTools((t) => ({ ...t, erase: !t.erase }));
    if (key === "b") setTools((t) => ({ ...t, radius: nextRadius(t.radius) }));
  });

  const stroke = (seed: number, from: Point, to: Point) => {
    if (readOnly || tools.tool === "none") return;
    follow.stop();
    dispatch({ type: "stroke", role: tools.tool, seed, from, to, radius: tools.radius, erase: tools.erase || modifier.current });
  };
  const hover = (seed: number, at: Point | null) =>
    setCursor(at ? { seed, x: Math.round(at.x * 10) / 10, y: Math.round(at.y * 10) / 10 } : null);

  const tile = (seed: number): GridTileData => ({
    seed,
    serverSrc: images.serverSrc(seed),
    after: images.after.get(seed) ?? null,
    serverStale: images.serverStale,
    before: images.before.get(seed) ?? null,
    masks: MASK_ORDER.flatMap((role): RoleMask[] => {
      const mask = regionMask(draft, role, seed);
      return mask ? [{ role, mask }] : [];
    }),
    heatmap: matching.showHeat ? (matching.heat.get(seed) ?? null) : null,
    cursors: peers.flatMap(({ clientId, state }): RemoteCursor[] =>
      state.cursor?.seed === seed ? [{ id: clientId, name: state.name ?? "", colour: state.colour ?? "#94a3b8", at: state.cursor }] : [],
    ),
  });
  const painting = !readOnly && tools.tool !== "none";

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
          following={follow.following}
          onFollow={follow.follow}
        />
        <SharePanel client={client} token={token} readOnly={readOnly} rulesHash={meta?.render?.rulesHash ?? null} onSnapshot={actions.snapshot} />
      </header>
      <NoticeBar notice={notice} onDismiss={() => setNotice(null)} />

      <div className="flex min-h-0 flex-1">
        <aside className="flex w-64 shrink-0 flex-col gap-4 overflow-y-auto border-r border-slate-800 p-3 xl:w-72">
          <ToolPanel tools={tools} onChange={setTools} disabled={readOnly} />
          {manifest && meta && (
            <RuleSettingsPanel
              layers={manifest.layers.map((l) => l.name)}
              layer={meta.layer}
              onLayer={(layer) => setLayer(doc, layer, client.localOrigin)}
              settings={solver}
              onSettings={setSolver}
              disabled={readOnly}
            />
          )}
          <DraftSummary draft={draft} onClear={(role) => dispatch({ type: "clear", role })} readOnly={readOnly} />
          <ContextTray
            regions={draft.context}
            imageFor={(seed) => images.before.get(seed) ?? null}
            srcFor={images.serverSrc}
            size={size}
            onRemove={(seed) => dispatch({ type: "clear", role: "context", seed })}
            disabled={readOnly}
          />
          <button
            type="button"
            disabled={!isExecutable(draft) || readOnly || !manifest}
            onClick={actions.execute}
            className="rounded bg-emerald-600 px-3 py-2 font-medium hover:bg-emerald-500 disabled:opacity-40"
            data-testid="execute"
            title="Solve this rule and add it to the session (needs copy and paste regions)"
          >
            Execute
          </button>
        </aside>

        <main className="flex min-w-0 flex-1 flex-col gap-3 overflow-y-auto p-4">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <SeedBar seeds={seeds} onSeeds={(next) => setSeeds(doc, next, client.localOrigin)} disabled={readOnly} />
            <CompareBar mode={mode} onMode={setMode} split={split} onSplit={setSplit} />
          </div>
          {rewrite.stats && (
            <p className="text-xs text-slate-400" data-testid="stats-progress">
              Preparing the browser preview: key statistics {rewrite.stats.done}/{rewrite.stats.total} samples…
            </p>
          )}
          {images.error && <p className="text-xs text-amber-300">Browser preview unavailable: {images.error}</p>}
          <SampleGrid
            tiles={seeds.map(tile)}
            size={size}
            mode={mode}
            split={split}
            painting={painting}
            selected={enlarged}
            onStroke={stroke}
            onHover={hover}
            onEnlarge={setEnlarged}
          />
        </main>

        <aside className="flex w-72 shrink-0 flex-col gap-4 overflow-y-auto border-l border-slate-800 p-3 xl:w-80">
          <RuleList rules={rules} actions={actions.list} canUndo={undo.canUndo} canRedo={undo.canRedo} readOnly={readOnly} />
          <JobPhases rules={rules} phases={phases} />
          <HistoryPanel entries={history} onSnapshot={actions.snapshot} onRestore={actions.restore} readOnly={readOnly} busy={actions.historyBusy} />
          <SearchPanel
            available={matching.available}
            reason={matching.reason}
            showHeat={matching.showHeat}
            onShowHeat={matching.setShowHeat}
            search={matching.search}
            onSearch={matching.runSearch}
            onShowResults={(top) => setSeeds(doc, top, client.localOrigin)}
            gridSize={seeds.length}
            readOnly={readOnly}
          />
        </aside>
      </div>

      {enlarged !== null && (
        <EnlargedSample
          tile={tile(enlarged)}
          size={size}
          mode={mode}
          split={split}
          painting={painting}
          onStroke={stroke}
          onHover={hover}
          onClose={() => {
            setEnlarged(null);
            follow.stop();
          }}
        />
      )}
    </div>
  );
}
