"use client";

import type { Identity } from "@/app/_lib/identity";
import type { Peer } from "./usePresence";

/** Avatars of everyone here (you first), with each one's current tool. */
export function PresenceBar({
  me,
  peers,
  onRename,
  following,
  onFollow,
}: {
  me: Identity | null;
  peers: readonly Peer[];
  onRename: (name: string) => void;
  following: number | null;
  onFollow: (clientId: number | null) => void;
}) {
  return (
    <div className="flex items-center gap-1" data-testid="presence">
      {me && (
        <button
          type="button"
          className="flex items-center gap-1 rounded-full border-2 px-2 py-0.5 text-xs"
          style={{ borderColor: me.colour }}
          title="You (click to rename)"
          onClick={() => {
            const name = window.prompt("Your name", me.name)?.trim();
            if (name) onRename(name.slice(0, 60));
          }}
        >
          <span className="h-2 w-2 rounded-full" style={{ background: me.colour }} />
          {me.name} (you)
        </button>
      )}
      {peers.map(({ clientId, state }) => (
        <button
          key={clientId}
          type="button"
          onClick={() => onFollow(following === clientId ? null : clientId)}
          className={`flex items-center gap-1 rounded-full border-2 px-2 py-0.5 text-xs ${following === clientId ? "bg-white/10" : ""}`}
          style={{ borderColor: state.colour ?? "#94a3b8" }}
          title={following === clientId ? "Stop following" : `Follow ${state.name}`}
          data-testid="peer"
          data-peer-name={state.name}
        >
          <span className="h-2 w-2 rounded-full" style={{ background: state.colour ?? "#94a3b8" }} />
          {state.name}
          {state.tool && <span className="text-slate-400">· {state.tool}</span>}
          {following === clientId && <span className="text-sky-300">· following</span>}
        </button>
      ))}
    </div>
  );
}
