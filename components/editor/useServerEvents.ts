"use client";

import { useEffect, useState } from "react";
import type { SessionClient } from "@/app/_lib/sessionClient";

export interface Notice {
  readonly text: string;
  readonly error: boolean;
}

/**
 * The server's job events as UI state: the current phase of each rule's
 * job, and a notice for refusals and failed jobs (cleared when a job ends
 * well). `setNotice` lets the editor post its own notices.
 */
export function useServerEvents(client: SessionClient) {
  const [phases, setPhases] = useState<Readonly<Record<string, string>>>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  useEffect(() => {
    const offs = [
      client.on("progress", (p) => {
        if (p.ruleId) setPhases((old) => ({ ...old, [p.ruleId!]: p.phase }));
      }),
      client.on("error", (e) => setNotice({ text: e.detail ?? e.reason, error: true })),
      client.on("finished", (f) => {
        if (f.kind !== "solve") return;
        if (f.status === "failed" && f.error) setNotice({ text: f.error.detail ?? f.error.reason, error: true });
        else setNotice((n) => (n && !n.error ? null : n));
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client]);
  return { phases, notice, setNotice };
}
