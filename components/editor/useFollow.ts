"use client";

import { useEffect, useState } from "react";
import type { CompareMode } from "@/components/grid/SampleTile";
import type { Peer } from "@/components/presence/usePresence";
import type { Tool } from "@/components/tools/tools";

/** What a follower mirrors from the person they follow. */
export interface FollowTargets {
  readonly setEnlarged: (seed: number | null) => void;
  readonly setTool: (tool: Tool) => void;
  readonly setMode: (mode: CompareMode) => void;
  readonly setSplit: (split: number) => void;
}

const TOOLS: readonly string[] = ["copy", "paste", "context", "none"];
const MODES: readonly string[] = ["after", "before", "split"];

/**
 * Follow mode for presenters: while following a peer, mirror their enlarged
 * image, tool and compare view (all from their awareness state). Ends when
 * they leave, or when `stop` is called (the follower acts on their own).
 */
export function useFollow(peers: readonly Peer[], targets: FollowTargets) {
  const [following, setFollowing] = useState<number | null>(null);
  const leader = peers.find((p) => p.clientId === following) ?? null;
  const state = leader?.state;
  const json = JSON.stringify(state ?? null);

  useEffect(() => {
    if (following !== null && !leader) setFollowing(null);
    if (!state) return;
    if (state.image !== undefined) targets.setEnlarged(state.image ?? null);
    const tool = state.tool?.split(" ")[0];
    if (tool && TOOLS.includes(tool)) targets.setTool(tool as Tool);
    const view = (state as { view?: { mode?: unknown; split?: unknown } }).view;
    if (typeof view?.mode === "string" && MODES.includes(view.mode)) targets.setMode(view.mode as CompareMode);
    if (typeof view?.split === "number") targets.setSplit(view.split);
    // `state` is named by its JSON; `targets` are stable setters.
  }, [json, following]);

  return { following, follow: setFollowing, stop: () => setFollowing(null) };
}
