"use client";

import type { HistoryEntry } from "@/app/_lib/history";
import { sharePath } from "@/app/_lib/snapshots";

/** Snapshots of the rule set, newest first: open one, or restore its rules. */
export function HistoryPanel({
  entries,
  onSnapshot,
  onRestore,
  readOnly,
  busy,
}: {
  entries: readonly HistoryEntry[];
  onSnapshot: () => void;
  onRestore: (entry: HistoryEntry) => void;
  readOnly: boolean;
  busy: boolean;
}) {
  return (
    <section className="flex flex-col gap-2 text-xs" aria-label="History" data-testid="history">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">History</h2>
        <button
          type="button"
          disabled={readOnly || busy}
          onClick={onSnapshot}
          className="rounded bg-slate-800 px-2 py-0.5 disabled:opacity-40"
          data-testid="history-snapshot"
        >
          Save snapshot
        </button>
      </div>
      {entries.length === 0 && <p className="text-slate-500">No snapshots yet.</p>}
      <ol className="flex flex-col gap-1" data-testid="history-list">
        {entries.map((entry) => (
          <li key={entry.shareId} className="flex items-center gap-2 rounded bg-slate-900 px-2 py-1" data-testid="history-entry">
            <a href={sharePath(entry.shareId)} target="_blank" rel="noreferrer" className="flex-1 hover:text-sky-300">
              {new Date(entry.at).toLocaleTimeString()} · {entry.rules} rule{entry.rules === 1 ? "" : "s"}
              <span className="block text-slate-500">by {entry.by}</span>
            </a>
            <button
              type="button"
              disabled={readOnly || busy}
              onClick={() => onRestore(entry)}
              className="rounded bg-slate-700 px-2 py-0.5 disabled:opacity-40"
              data-testid="history-restore"
            >
              Restore
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
