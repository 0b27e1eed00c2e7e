"use client";

import { ROLES } from "@/app/_lib/draft";
import { BRUSH_RADII, TOOL_LABELS, type Tool, type ToolState } from "./tools";

const ROLE_STYLE: Readonly<Record<Tool, string>> = {
  copy: "border-copy text-copy",
  paste: "border-paste text-paste",
  context: "border-context text-context",
  none: "border-slate-400 text-slate-200",
};
const ROLE_KEYS: Readonly<Record<Tool, string>> = { copy: "C", paste: "P", context: "X", none: "V" };
const ROLE_HINTS: Readonly<Record<Tool, string>> = {
  copy: "Paint what to copy (one image).",
  paste: "Paint where it goes (one image).",
  context: "Paint where the rule should apply (several images).",
  none: "Click an image to enlarge it.",
};

/** Brush tools: role, eraser and brush size, with their keyboard shortcuts. */
export function ToolPanel({
  tools,
  onChange,
  disabled,
}: {
  tools: ToolState;
  onChange: (tools: ToolState) => void;
  disabled: boolean;
}) {
  const all: Tool[] = [...ROLES, "none"];
  return (
    <section className="flex flex-col gap-2" aria-label="Brush tools">
      <div className="grid grid-cols-4 gap-1">
        {all.map((tool) => (
          <button
            key={tool}
            type="button"
            disabled={disabled && tool !== "none"}
            onClick={() => onChange({ ...tools, tool })}
            aria-pressed={tools.tool === tool}
            title={`${ROLE_HINTS[tool]} (${ROLE_KEYS[tool]})`}
            data-testid={`tool-${tool}`}
            className={`rounded border-2 px-1 py-1 text-xs font-medium disabled:opacity-40 ${
              tools.tool === tool ? `${ROLE_STYLE[tool]} bg-slate-800` : "border-transparent bg-slate-900 text-slate-400"
            }`}
          >
            {TOOL_LABELS[tool]}
            <kbd className="ml-1 text-[10px] opacity-60">{ROLE_KEYS[tool]}</kbd>
          </button>
        ))}
      </div>
      <p className="text-xs text-slate-400">{ROLE_HINTS[tools.tool]}</p>
      <div className="flex items-center gap-2 text-xs">
        <button
          type="button"
          disabled={disabled}
          onClick={() => onChange({ ...tools, erase: !tools.erase })}
          aria-pressed={tools.erase}
          data-testid="tool-erase"
          title="Eraser (E); or hold Ctrl while painting"
          className={`rounded px-2 py-1 ${tools.erase ? "bg-rose-600 text-white" : "bg-slate-800 text-slate-300"}`}
        >
          Eraser <kbd className="opacity-60">E</kbd>
        </button>
        <label className="flex items-center gap-1" title="Brush size (B cycles)">
          Brush <kbd className="opacity-60">B</kbd>
          <select
            value={tools.radius}
            onChange={(e) => onChange({ ...tools, radius: Number(e.target.value) })}
            className="rounded bg-slate-800 px-1 py-0.5"
            data-testid="brush-size"
          >
            {BRUSH_RADII.map((r) => (
              <option key={r} value={r}>
                {r * 2} px
              </option>
            ))}
          </select>
        </label>
      </div>
    </section>
  );
}
