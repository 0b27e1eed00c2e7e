"use client";

import { useState } from "react";
import type { SearchState } from "./useMatches";

/** How many seeds a search ranks by default, and at most. */
const DEFAULT_COUNT = 200;
const MAX_COUNT = 2000;

/**
 * Context matching: the heatmap switch for the grid, and a search that ranks
 * many seeds by how strongly they contain the context, with a button to show
 * the best ones in the grid.
 */
export function SearchPanel({
  available,
  reason,
  showHeat,
  onShowHeat,
  search,
  onSearch,
  onShowResults,
  gridSize,
  readOnly,
}: {
  available: boolean;
  reason: string | null;
  showHeat: boolean;
  onShowHeat: (show: boolean) => void;
  search: SearchState;
  onSearch: (count: number) => void;
  onShowResults: (seeds: number[]) => void;
  gridSize: number;
  readOnly: boolean;
}) {
  const [count, setCount] = useState(DEFAULT_COUNT);
  const top = search.results.slice(0, Math.max(1, gridSize));
  return (
    <section className="flex flex-col gap-2 text-xs" aria-label="Context matching" data-testid="search-panel">
      <h2 className="text-sm font-semibold">Context matches</h2>
      <p className="text-slate-400">{reason ?? "Where the draft's context key fires (context, or the paste region)."}</p>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={showHeat}
          disabled={!available}
          onChange={(e) => onShowHeat(e.target.checked)}
          data-testid="show-matches"
        />
        Show matches on the grid <kbd className="opacity-60">M</kbd>
      </label>
      <div className="flex items-center gap-1">
        <input
          type="number"
          min={10}
          max={MAX_COUNT}
          value={count}
          onChange={(e) => setCount(Math.max(10, Math.min(MAX_COUNT, Number(e.target.value) || DEFAULT_COUNT)))}
          className="w-20 rounded bg-slate-800 px-1 py-0.5"
          aria-label="Seeds to search"
        />
        <button
          type="button"
          disabled={!available || search.running}
          onClick={() => onSearch(count)}
          className="rounded bg-slate-700 px-2 py-1 disabled:opacity-40"
          data-testid="search"
        >
          {search.running ? `Searching ${search.done}/${search.total}…` : `Search seeds 0–${count - 1}`}
        </button>
      </div>
      {search.error && <p role="alert" className="text-rose-400">{search.error}</p>}
      {top.length > 0 && !search.running && (
        <>
          <ol className="grid grid-cols-3 gap-1 font-mono" data-testid="search-results">
            {top.map((match) => (
              <li key={match.seed} className="rounded bg-slate-900 px-1" data-seed={match.seed}>
                #{match.seed} <span className="text-slate-500">{match.score.toFixed(1)}</span>
              </li>
            ))}
          </ol>
          <button
            type="button"
            disabled={readOnly}
            onClick={() => onShowResults(top.map((m) => m.seed))}
            className="self-start rounded bg-sky-800 px-2 py-1 disabled:opacity-40"
            data-testid="show-results"
          >
            Show these in the grid
          </button>
        </>
      )}
    </section>
  );
}
