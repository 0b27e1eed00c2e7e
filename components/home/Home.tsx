"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { ModelSummary } from "@/app/_lib/manifest";
import {
  forgetSession,
  parseRecent,
  RECENT_KEY,
  rememberSession,
  type RecentSession,
} from "@/app/_lib/recent";
import type { CreateSessionResponse } from "@/shared/protocol/api";
import { isProtocolError } from "@/shared/protocol/errors";

/** Start page: a form that creates a session, and this browser's recent ones. */
export function Home({ models }: { models: readonly ModelSummary[] }) {
  const router = useRouter();
  const [model, setModel] = useState(models[0]?.name ?? "");
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recent, setRecent] = useState<RecentSession[]>([]);

  // Also marks the page as hydrated: the form works only from then on.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    setRecent(parseRecent(localStorage.getItem(RECENT_KEY)));
    setHydrated(true);
  }, []);

  const store = (list: RecentSession[]) => {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
    setRecent(list);
  };

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch("/api/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(title ? { model, title } : { model }),
      });
      const body: unknown = await response.json();
      if (!response.ok) {
        const refusal = (body as { error?: unknown }).error;
        throw new Error(isProtocolError(refusal) ? (refusal.detail ?? refusal.reason) : `HTTP ${response.status}`);
      }
      const session = body as CreateSessionResponse;
      store(
        rememberSession(recent, {
          id: session.id,
          token: session.editToken,
          viewToken: session.viewToken,
          role: "edit",
          model,
          title,
          openedAt: Date.now(),
        }),
      );
      router.push(session.editUrl);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      setBusy(false);
    }
  };

  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-10 px-6 py-16">
      <header className="flex flex-col gap-2">
        <h1 className="text-4xl font-semibold tracking-tight">Rewrite</h1>
        <p className="text-slate-400">
          Change what a generative model has learned by copying a region of one sample into
          another, together, in real time. After Bau et al., <em>Rewriting a Deep Generative
          Model</em> (ECCV 2020).
        </p>
      </header>

      <form onSubmit={create} className="flex flex-col gap-4 rounded-lg border border-slate-800 bg-slate-900 p-6">
        <h2 className="text-lg font-medium">New session</h2>
        {models.length > 1 ? (
          <label className="flex flex-col gap-1 text-sm">
            Model
            <select
              value={model}
              onChange={(e) => setModel(e.target.value)}
              className="rounded bg-slate-800 px-2 py-1.5"
              data-testid="model-select"
            >
              {models.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name} — {m.description}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p className="text-sm text-slate-400">
            Model: <span className="font-mono text-slate-200">{model || "none found"}</span>
            {models[0]?.description ? ` — ${models[0].description}` : ""}
          </p>
        )}
        <label className="flex flex-col gap-1 text-sm">
          Title (optional)
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={200}
            placeholder="e.g. towers on every roof"
            className="rounded bg-slate-800 px-2 py-1.5"
            data-testid="title-input"
          />
        </label>
        <button
          type="submit"
          disabled={!hydrated || busy || !model}
          className="self-start rounded bg-sky-600 px-4 py-2 font-medium hover:bg-sky-500 disabled:opacity-50"
          data-testid="create-session"
        >
          {busy ? "Creating…" : "Create session"}
        </button>
        {error && (
          <p role="alert" className="text-sm text-red-400">
            Could not create a session: {error}
          </p>
        )}
      </form>

      <section className="flex flex-col gap-3">
        <h2 className="text-lg font-medium">Recent sessions</h2>
        {recent.length === 0 && <p className="text-sm text-slate-500">None yet in this browser.</p>}
        <ul className="flex flex-col gap-2" data-testid="recent-list">
          {recent.map((item) => (
            <li key={item.id} className="flex items-center justify-between rounded bg-slate-900 px-4 py-2">
              <a
                className="flex flex-col hover:text-sky-300"
                href={`/s/${encodeURIComponent(item.id)}?token=${encodeURIComponent(item.token)}`}
              >
                <span>{item.title || `Session ${item.id.slice(0, 8)}`}</span>
                <span className="text-xs text-slate-500">
                  {item.model} · {item.role === "edit" ? "can edit" : "view only"} ·{" "}
                  {new Date(item.openedAt).toLocaleString()}
                </span>
              </a>
              <button
                type="button"
                onClick={() => store(forgetSession(recent, item.id))}
                className="text-xs text-slate-500 hover:text-red-400"
                aria-label={`Forget session ${item.id}`}
              >
                forget
              </button>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
