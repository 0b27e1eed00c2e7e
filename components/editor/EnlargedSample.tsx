"use client";

import type { Point } from "@/app/_lib/mask";
import type { GridTileData } from "@/components/grid/SampleGrid";
import { SampleTile, type CompareMode } from "@/components/grid/SampleTile";

/** One sample shown large (paintable), over the page; Escape closes it. */
export function EnlargedSample({
  tile,
  size,
  mode,
  split,
  painting,
  onStroke,
  onHover,
  onClose,
}: {
  tile: GridTileData;
  size: number;
  mode: CompareMode;
  split: number;
  painting: boolean;
  onStroke: (seed: number, from: Point, to: Point) => void;
  onHover: (seed: number, at: Point | null) => void;
  onClose: () => void;
}) {
  return (
    <div
      className="fixed inset-0 z-40 flex items-center justify-center bg-black/70 p-6"
      onClick={onClose}
      role="dialog"
      aria-label={`Sample ${tile.seed}`}
      data-testid="enlarged"
    >
      <div className="w-[min(80vh,90vw)]" onClick={(event) => event.stopPropagation()}>
        <SampleTile
          {...tile}
          size={size}
          mode={mode}
          split={split}
          {...(painting ? { onStroke: (from: Point, to: Point) => onStroke(tile.seed, from, to) } : {})}
          onHover={(at) => onHover(tile.seed, at)}
          label={`#${tile.seed} — Esc or click outside to close`}
        />
      </div>
    </div>
  );
}
