import type { Role } from "@/app/_lib/draft";

/** The active pointer tool: a brush role, or "none" to inspect and enlarge. */
export type Tool = Role | "none";

export interface ToolState {
  readonly tool: Tool;
  /** Brush erases instead of painting (E, or hold Ctrl/⌘ while dragging). */
  readonly erase: boolean;
  /** Disc radius in image pixels. */
  readonly radius: number;
}

/** Brush radii the B key cycles through, in image pixels. */
export const BRUSH_RADII = [1, 2, 3, 5, 8] as const;

export const INITIAL_TOOLS: ToolState = { tool: "copy", erase: false, radius: 3 };

export const TOOL_KEYS: Readonly<Record<string, Tool>> = {
  c: "copy",
  p: "paste",
  x: "context",
  v: "none",
};

/** Next radius in BRUSH_RADII after `radius` (wrapping). */
export function nextRadius(radius: number): number {
  const index = BRUSH_RADII.findIndex((r) => r > radius);
  return index < 0 ? BRUSH_RADII[0] : BRUSH_RADII[index]!;
}

export const TOOL_LABELS: Readonly<Record<Tool, string>> = {
  copy: "Copy",
  paste: "Paste",
  context: "Context",
  none: "Inspect",
};
