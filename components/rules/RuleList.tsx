"use client";

import { useRef, useState } from "react";
import type { RuleEntry } from "@/shared/protocol";

export interface RuleListActions {
  rename: (id: string, name: string) => void;
  setEnabled: (id: string, enabled: boolean) => void;
  setStrength: (id: string, strength: number) => void;
  remove: (id: string) => void;
  move: (id: string, index: number) => void;
  show: (id: string) => void;
  retry: (id: string) => void;
  undo: () => void;
  redo: () => void;
  save: () => void;
  load: (text: string) => void;
}

const STATUS_STYLE: Readonly<Record<RuleEntry["status"], string>> = {
  draft: "bg-slate-700 text-slate-200",
  queued: "bg-slate-600 text-slate-100",
  running: "bg-sky-700 text-white",
  done: "bg-emerald-700 text-white",
  failed: "bg-rose-700 text-white",
  cancelled: "bg-slate-700 text-slate-300",
};

/**
 * The session's rules in application order: name, status and progress,
 * on/off, strength, reorder and delete; undo/redo of this user's own
 * changes; save to and load from a JSON file.
 */
export function RuleList({
  rules,
  actions,
  canUndo,
  canRedo,
  readOnly,
}: {
  rules: readonly RuleEntry[];
  actions: RuleListActions;
  canUndo: boolean;
  canRedo: boolean;
  readOnly: boolean;
}) {
  const file = useRef<HTMLInputElement>(null);
  return (
    <section className="flex flex-col gap-2" aria-label="Rules">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">Rules</h2>
        <div className="flex gap-1 text-xs">
          <button type="button" disabled={readOnly || !canUndo} onClick={actions.undo} data-testid="undo"
            className="rounded bg-slate-800 px-2 py-0.5 disabled:opacity-40" title="Undo your last rule change (Ctrl+Z)">
            Undo
          </button>
          <button type="button" disabled={readOnly || !canRedo} onClick={actions.redo} data-testid="redo"
            className="rounded bg-slate-800 px-2 py-0.5 disabled:opacity-40" title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
        </div>
      </div>
      {rules.length === 0 && (
        <p className="text-xs text-slate-500">No rules yet. Paint copy and paste regions, then Execute.</p>
      )}
      <ol className="flex flex-col gap-2" data-testid="rule-list">
        {rules.map((rule, index) => (
          <RuleItem key={rule.id} rule={rule} index={index} count={rules.length} actions={actions} readOnly={readOnly} />
        ))}
      </ol>
      <div className="flex gap-1 text-xs">
        <button type="button" onClick={actions.save} disabled={rules.length === 0} data-testid="save-rules"
          className="rounded bg-slate-800 px-2 py-0.5 disabled:opacity-40">
          Save JSON
        </button>
        <button type="button" onClick={() => file.current?.click()} disabled={readOnly} data-testid="load-rules"
          className="rounded bg-slate-800 px-2 py-0.5 disabled:opacity-40">
          Load JSON
        </button>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          className="hidden"
          data-testid="load-rules-file"
          onChange={async (event) => {
            const chosen = event.target.files?.[0];
            event.target.value = "";
            if (chosen) actions.load(await chosen.text());
          }}
        />
      </div>
    </section>
  );
}

function RuleItem({
  rule,
  index,
  count,
  actions,
  readOnly,
}: {
  rule: RuleEntry;
  index: number;
  count: number;
  actions: RuleListActions;
  readOnly: boolean;
}) {
  const [name, setName] = useState(rule.name);
  const [editing, setEditing] = useState(false);
  const shownName = editing ? name : rule.name;
  const busy = rule.status === "queued" || rule.status === "running";
  return (
    <li className={`flex flex-col gap-1 rounded border border-slate-800 bg-slate-900 p-2 ${rule.enabled ? "" : "opacity-60"}`}
      data-testid="rule-item" data-rule-id={rule.id} data-status={rule.status}>
      <div className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={rule.enabled}
          disabled={readOnly}
          onChange={(e) => actions.setEnabled(rule.id, e.target.checked)}
          aria-label="Rule enabled"
          data-testid="rule-enabled"
        />
        <input
          value={shownName}
          placeholder={`Rule ${index + 1}`}
          readOnly={readOnly}
          onFocus={() => {
            setName(rule.name);
            setEditing(true);
          }}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => {
            setEditing(false);
            if (name !== rule.name) actions.rename(rule.id, name);
          }}
          onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
          maxLength={200}
          className="min-w-0 flex-1 rounded bg-transparent px-1 text-sm hover:bg-slate-800 focus:bg-slate-800"
          data-testid="rule-name"
        />
        <span className={`rounded px-1.5 text-[10px] uppercase ${STATUS_STYLE[rule.status]}`} data-testid="rule-status">
          {rule.status}
        </span>
      </div>
      {busy && (
        <div className="h-1.5 overflow-hidden rounded bg-slate-800" role="progressbar" aria-valuenow={Math.round(rule.progress * 100)}
          aria-valuemin={0} aria-valuemax={100} data-testid="rule-progress">
          <div className="h-full bg-sky-500 transition-all" style={{ width: `${Math.round(rule.progress * 100)}%` }} />
        </div>
      )}
      {rule.error && (
        <p className="text-xs text-rose-400" role="alert">
          {rule.error.reason}
        </p>
      )}
      <div className="flex items-center gap-2 text-xs">
        <label className="flex flex-1 items-center gap-1" title="Strength: multiplies this rule's weight change">
          Strength
          <input
            type="range"
            min={0}
            max={4}
            step={0.05}
            value={rule.strength}
            disabled={readOnly}
            onChange={(e) => actions.setStrength(rule.id, Number(e.target.value))}
            className="flex-1"
            data-testid="rule-strength"
          />
          <span className="w-8 text-right font-mono">{rule.strength.toFixed(2)}</span>
        </label>
      </div>
      <div className="flex gap-1 text-xs">
        <button type="button" onClick={() => actions.show(rule.id)} className="rounded bg-slate-800 px-1.5" title="Show this rule's masks">
          Show
        </button>
        {(rule.status === "failed" || rule.status === "cancelled" || rule.status === "draft") && !readOnly && (
          <button type="button" onClick={() => actions.retry(rule.id)} className="rounded bg-slate-800 px-1.5">
            Run
          </button>
        )}
        <span className="flex-1" />
        <button type="button" disabled={readOnly || index === 0} onClick={() => actions.move(rule.id, index - 1)}
          className="rounded bg-slate-800 px-1.5 disabled:opacity-30" aria-label="Move up" data-testid="rule-up">
          ↑
        </button>
        <button type="button" disabled={readOnly || index === count - 1} onClick={() => actions.move(rule.id, index + 1)}
          className="rounded bg-slate-800 px-1.5 disabled:opacity-30" aria-label="Move down" data-testid="rule-down">
          ↓
        </button>
        <button type="button" disabled={readOnly} onClick={() => actions.remove(rule.id)}
          className="rounded bg-slate-800 px-1.5 text-rose-300 disabled:opacity-30" aria-label="Delete rule" data-testid="rule-delete">
          Delete
        </button>
      </div>
    </li>
  );
}
