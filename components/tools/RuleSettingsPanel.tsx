"use client";

import type { RuleSettings } from "@/app/_lib/ruleSpec";

export type SolverSettings = Pick<RuleSettings, "rank" | "solver" | "ridge">;

const RANKS = [1, 2, 3, 4, 8] as const;

/** Layer (shared by the session) and rank; damping and L1/L2 under "Advanced". */
export function RuleSettingsPanel({
  layers,
  layer,
  onLayer,
  settings,
  onSettings,
  disabled,
}: {
  layers: readonly string[];
  layer: string;
  onLayer: (layer: string) => void;
  settings: SolverSettings;
  onSettings: (settings: SolverSettings) => void;
  disabled: boolean;
}) {
  return (
    <section className="flex flex-col gap-2 text-xs" aria-label="Rule settings">
      <div className="flex gap-3">
        <label className="flex items-center gap-1">
          Layer
          <select
            value={layer}
            disabled={disabled}
            onChange={(e) => onLayer(e.target.value)}
            className="rounded bg-slate-800 px-1 py-0.5"
            data-testid="layer-select"
          >
            {layers.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          Rank
          <select
            value={settings.rank}
            disabled={disabled}
            onChange={(e) => onSettings({ ...settings, rank: Number(e.target.value) })}
            className="rounded bg-slate-800 px-1 py-0.5"
            data-testid="rank-select"
          >
            {RANKS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <details className="rounded bg-slate-900 px-2 py-1">
        <summary className="cursor-pointer text-slate-400">Advanced</summary>
        <div className="flex flex-col gap-2 py-2">
          <label className="flex items-center justify-between gap-2" title="Ridge relative to typical key energy">
            Damping
            <input
              type="number"
              min={0}
              step={0.005}
              value={settings.ridge}
              disabled={disabled}
              onChange={(e) => {
                const ridge = Number(e.target.value);
                if (Number.isFinite(ridge) && ridge >= 0) onSettings({ ...settings, ridge });
              }}
              className="w-20 rounded bg-slate-800 px-1 py-0.5"
              data-testid="damping"
            />
          </label>
          <fieldset className="flex items-center gap-3">
            <legend className="sr-only">Loss</legend>
            Loss
            {(["l2", "l1"] as const).map((solver) => (
              <label key={solver} className="flex items-center gap-1">
                <input
                  type="radio"
                  name="solver"
                  checked={settings.solver === solver}
                  disabled={disabled}
                  onChange={() => onSettings({ ...settings, solver })}
                />
                {solver.toUpperCase()}
              </label>
            ))}
          </fieldset>
        </div>
      </details>
    </section>
  );
}
