"use client";

import dynamic from "next/dynamic";
import { useEffect, useState } from "react";

// Browser only: the editor's Yjs copy must not load into the server process
// (which has its own), and it needs the token from the URL anyway.
const Editor = dynamic(() => import("./Editor").then((m) => m.Editor), { ssr: false });

/** The token from `?token=` or `#token=`, or null. */
function tokenFromLocation(): string | null {
  const query = new URLSearchParams(window.location.search).get("token");
  if (query) return query;
  return new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token");
}

/** Reads the token from the URL and opens the editor with it. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const [token, setToken] = useState<string | null | undefined>(undefined);

  useEffect(() => setToken(tokenFromLocation()), []);

  if (token === undefined) return null;
  if (token === null) {
    return (
      <main className="mx-auto max-w-xl p-10" role="alert" data-testid="no-token">
        <h1 className="text-xl font-semibold">This link has no token</h1>
        <p className="mt-2 text-slate-400">Open the session with the full edit or view link you were given.</p>
      </main>
    );
  }
  return <Editor sessionId={sessionId} token={token} />;
}
