"use client";

import { useEffect, useState } from "react";
import { awarenessStateSchema, type AwarenessState } from "@/shared/protocol";
import { IDENTITY_KEY, parseIdentity, randomIdentity, type Identity } from "@/app/_lib/identity";
import type { SessionClient } from "@/app/_lib/sessionClient";

export interface Peer {
  readonly clientId: number;
  readonly state: AwarenessState;
}

/** This browser's name and colour, created once and remembered. */
export function useIdentity(): [Identity | null, (identity: Identity) => void] {
  const [identity, setIdentity] = useState<Identity | null>(null);
  useEffect(() => {
    const stored = parseIdentity(localStorage.getItem(IDENTITY_KEY));
    const chosen = stored ?? randomIdentity();
    if (!stored) localStorage.setItem(IDENTITY_KEY, JSON.stringify(chosen));
    setIdentity(chosen);
  }, []);
  const change = (next: Identity) => {
    localStorage.setItem(IDENTITY_KEY, JSON.stringify(next));
    setIdentity(next);
  };
  return [identity, change];
}

/** Everyone else in the session, with their published awareness state. */
export function usePeers(client: SessionClient | null): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  useEffect(() => {
    if (!client) return;
    const { awareness } = client;
    const refresh = () => {
      const list: Peer[] = [];
      awareness.getStates().forEach((raw, clientId) => {
        if (clientId === awareness.clientID) return;
        const parsed = awarenessStateSchema.safeParse(raw);
        if (parsed.success && parsed.data.name) list.push({ clientId, state: parsed.data });
      });
      setPeers(list.sort((a, b) => a.clientId - b.clientId));
    };
    refresh();
    awareness.on("change", refresh);
    return () => awareness.off("change", refresh);
  }, [client]);
  return peers;
}

/** Publishes `fields` into this user's awareness state when they change. */
export function usePublish(client: SessionClient | null, fields: Partial<AwarenessState> & Record<string, unknown>): void {
  const json = JSON.stringify(fields);
  useEffect(() => {
    if (!client) return;
    const next = JSON.parse(json) as Record<string, unknown>;
    const current = client.awareness.getLocalState() ?? {};
    client.awareness.setLocalState({ ...current, ...next });
  }, [client, json]);
}
