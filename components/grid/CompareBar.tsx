"use client";

import type { CompareMode } from "./SampleTile";

/** Before/after switch and the split slider. */
export function CompareBar({
  mode,
  onMode,
  split,
  onSplit,
}: {
  mode: CompareMode;
  onMode: (mode: CompareMode) => void;
  split: number;
  onSplit: (split: number) => void;
}) {
  const modes: [CompareMode, string][] = [
    ["after", "Edited"],
    ["before", "Original"],
    ["split", "Split"],
  ];
  return (
    <div className="flex items-center gap-2 text-xs" aria-label="Compare">
      <div className="flex overflow-hidden rounded border border-slate-700">
        {modes.map(([value, label]) => (
          <button
            key={value}
            type="button"
            onClick={() => onMode(value)}
            aria-pressed={mode === value}
            data-testid={`compare-${value}`}
            className={`px-2 py-1 ${mode === value ? "bg-slate-200 text-slate-900" : "bg-slate-900 text-slate-300"}`}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === "split" && (
        <input
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={split}
          onChange={(e) => onSplit(Number(e.target.value))}
          aria-label="Split position (original on the left)"
          data-testid="split-slider"
          className="w-32"
        />
      )}
    </div>
  );
}
