"use client";

import { useEffect, useState } from "react";
import { formatSeedList } from "@/shared/latent";
import { pageSeeds, seedsFromInput, shuffledSeeds } from "@/app/_lib/seeds";

/** Seed controls: type a seed or list, page forward and back, shuffle. */
export function SeedBar({
  seeds,
  onSeeds,
  disabled,
}: {
  seeds: readonly number[];
  onSeeds: (seeds: number[]) => void;
  disabled: boolean;
}) {
  const shown = formatSeedList(seeds);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(shown), [shown]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    try {
      onSeeds(seedsFromInput(text, seeds.length || 12));
      setError(null);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };

  return (
    <form onSubmit={submit} className="flex flex-wrap items-center gap-2 text-sm" aria-label="Seeds">
      <button type="button" disabled={disabled} onClick={() => onSeeds(pageSeeds(seeds, -1))}
        className="rounded bg-slate-800 px-2 py-1 disabled:opacity-40" aria-label="Previous page" data-testid="page-prev">
        ◀
      </button>
      <input
        value={text}
        onChange={(e) => setText(e.target.value)}
        disabled={disabled}
        className="w-44 rounded bg-slate-800 px-2 py-1 font-mono text-xs"
        aria-label="Seeds (a seed or a list like 3,10-15)"
        data-testid="seed-input"
      />
      <button type="submit" disabled={disabled} className="rounded bg-slate-800 px-2 py-1 disabled:opacity-40" data-testid="seed-go">
        Go
      </button>
      <button type="button" disabled={disabled} onClick={() => onSeeds(pageSeeds(seeds, 1))}
        className="rounded bg-slate-800 px-2 py-1 disabled:opacity-40" aria-label="Next page" data-testid="page-next">
        ▶
      </button>
      <button type="button" disabled={disabled} onClick={() => onSeeds(shuffledSeeds(seeds.length || 12))}
        className="rounded bg-slate-800 px-2 py-1 disabled:opacity-40" data-testid="shuffle">
        Shuffle
      </button>
      {error && (
        <span role="alert" className="text-xs text-rose-400">
          {error}
        </span>
      )}
    </form>
  );
}
