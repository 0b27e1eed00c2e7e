"use client";

import { useEffect, useState } from "react";
import type { ProtocolError, Role } from "@/shared/protocol";
import { SessionClient, type ConnectionStatus } from "@/app/_lib/sessionClient";

export interface SessionConnection {
  readonly client: SessionClient | null;
  readonly status: ConnectionStatus;
  readonly role: Role | null;
  readonly error: ProtocolError | null;
}

/**
 * Opens the session for as long as the component is mounted: one
 * SessionClient per (session, token), destroyed on unmount.
 */
export function useSessionClient(sessionId: string, token: string): SessionConnection {
  const [state, setState] = useState<SessionConnection>({
    client: null,
    status: "connecting",
    role: null,
    error: null,
  });

  useEffect(() => {
    const client = new SessionClient(sessionId, token);
    const update = () =>
      setState({ client, status: client.status, role: client.role, error: client.lastError });
    const off = client.on("status", update);
    update();
    client.connect();
    return () => {
      off();
      client.destroy();
    };
  }, [sessionId, token]);

  return state;
}
