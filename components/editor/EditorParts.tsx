"use client";

import type { RuleEntry } from "@/shared/protocol";
import type { Draft, Role } from "@/app/_lib/draft";
import type { Notice } from "./useServerEvents";

/** Which images the draft copies from and pastes into, with clear buttons. */
export function DraftSummary({ draft, onClear, readOnly }: { draft: Draft; onClear: (role: Role) => void; readOnly: boolean }) {
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

/** The server's jobs in progress: rule, status, phase and percentage. */
export function JobPhases({ rules, phases }: { rules: readonly RuleEntry[]; phases: Readonly<Record<string, string>> }) {
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

/** A dismissable line for the editor's notices (refusals in red). */
export function NoticeBar({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  if (!notice) return null;
  return (
    <div
      role={notice.error ? "alert" : "status"}
      className={`flex items-center justify-between px-4 py-1 text-sm ${notice.error ? "bg-rose-950 text-rose-200" : "bg-sky-950 text-sky-200"}`}
      data-testid="message"
    >
      {notice.text}
      <button type="button" onClick={onDismiss} aria-label="Dismiss" className="px-2">
        ×
      </button>
    </div>
  );
}
