"use client";

import { useEffect, useState } from "react";
import { sessionAppPath, type SessionInfoResponse } from "@/shared/protocol/api";
import { sharePath } from "@/app/_lib/snapshots";
import { parseRecent, RECENT_KEY } from "@/app/_lib/recent";
import type { SessionClient } from "@/app/_lib/sessionClient";

/** Share menu: edit / view / snapshot links, and the edited model's ONNX. */
export function SharePanel({
  client,
  token,
  readOnly,
  rulesHash,
  onSnapshot,
}: {
  client: SessionClient;
  token: string;
  readOnly: boolean;
  rulesHash: string | null;
  /** Freezes the rules into a share (recorded in the history); its id, or null on failure. */
  onSnapshot: () => Promise<string | null>;
}) {
  const [open, setOpen] = useState(false);
  const [snapshot, setSnapshot] = useState<string | null>(null);
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const id = client.sessionId;
  const known = typeof window === "undefined" ? [] : parseRecent(localStorage.getItem(RECENT_KEY));
  const viewToken = readOnly ? token : (known.find((s) => s.id === id)?.viewToken ?? null);
  const [serverViewPath, setServerViewPath] = useState<string | null>(null);
  const viewPath = viewToken ? sessionAppPath(id, viewToken) : serverViewPath;

  // Editors who did not create the session learn the view link from the server.
  useEffect(() => {
    if (!open || readOnly || viewToken) return;
    const url = `/api/sessions/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;
    fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<SessionInfoResponse>) : null))
      .then((info) => setServerViewPath(info?.viewUrl ?? null))
      .catch(() => setServerViewPath(null));
  }, [open, readOnly, viewToken, id, token]);

  const links: [string, string | null, string][] = [
    ["Edit link", readOnly ? null : origin + sessionAppPath(id, token), "share-edit"],
    ["View link", viewPath ? origin + viewPath : null, "share-view"],
    ["Snapshot link", snapshot, "share-snapshot"],
  ];

  const freeze = async () => {
    const shareId = await onSnapshot();
    if (shareId) setSnapshot(`${origin}${sharePath(shareId)}`);
  };

  const exportHref = `/api/sessions/${encodeURIComponent(id)}/export.onnx?${rulesHash ? `rules=${rulesHash}&` : ""}token=${encodeURIComponent(token)}`;

  return (
    <div className="relative">
      <div className="flex gap-1">
        <button type="button" onClick={() => setOpen(!open)} className="rounded bg-sky-700 px-3 py-1 text-sm" data-testid="share">
          Share
        </button>
        <a href={exportHref} download className="rounded bg-slate-800 px-3 py-1 text-sm" data-testid="export">
          Export model
        </a>
      </div>
      {open && (
        <div className="absolute right-0 z-30 mt-2 flex w-96 flex-col gap-2 rounded border border-slate-700 bg-slate-900 p-3 text-xs shadow-xl" data-testid="share-panel">
          {links.map(([label, url, testId]) => (
            <div key={label} className="flex flex-col gap-1">
              <span className="text-slate-400">{label}</span>
              {url ? (
                <div className="flex gap-1">
                  <input readOnly value={url} className="flex-1 rounded bg-slate-800 px-1 font-mono" data-testid={testId} onFocus={(e) => e.target.select()} />
                  <button type="button" onClick={() => navigator.clipboard?.writeText(url)} className="rounded bg-slate-700 px-2">
                    Copy
                  </button>
                </div>
              ) : label === "Snapshot link" ? (
                <button type="button" disabled={readOnly} onClick={freeze} className="self-start rounded bg-slate-700 px-2 py-1 disabled:opacity-40" data-testid="take-snapshot">
                  Freeze the current rules into a link
                </button>
              ) : (
                <span className="text-slate-500">Only editors see this link.</span>
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
