"use client";

import type { Point } from "@/app/_lib/mask";
import type { RoleMask } from "@/app/_lib/overlay";
import { SampleTile, type CompareMode, type RemoteCursor } from "./SampleTile";

export interface GridTileData {
  readonly seed: number;
  readonly serverSrc: string | null;
  readonly after: Uint8ClampedArray | null;
  readonly serverStale: boolean;
  readonly before: Uint8ClampedArray | null;
  readonly masks: readonly RoleMask[];
  readonly heatmap: Uint8ClampedArray | null;
  readonly cursors: readonly RemoteCursor[];
}

/**
 * The sample grid: 4 columns on laptops and projectors (a 12-seed grid is
 * 3 full rows that fit the height), 3 on narrow screens, 6 on very wide
 * ones; every tile a fixed square.
 */
export function SampleGrid({
  tiles,
  size,
  mode,
  split,
  painting,
  selected,
  onStroke,
  onHover,
  onEnlarge,
}: {
  tiles: readonly GridTileData[];
  size: number;
  mode: CompareMode;
  split: number;
  painting: boolean;
  selected: number | null;
  onStroke: (seed: number, from: Point, to: Point) => void;
  onHover: (seed: number, at: Point | null) => void;
  onEnlarge: (seed: number) => void;
}) {
  return (
    <div
      className="mx-auto grid w-full grid-cols-3 gap-3 md:grid-cols-4 min-[2200px]:grid-cols-6"
      // Three rows of four stay on one screen: the width follows the height.
      style={{ maxWidth: "max(24rem, calc((100vh - 16rem) * 4 / 3))" }}
      data-testid="sample-grid"
    >
      {tiles.map((tile) => (
        <SampleTile
          key={tile.seed}
          {...tile}
          size={size}
          mode={mode}
          split={split}
          selected={selected === tile.seed}
          {...(painting ? { onStroke: (from: Point, to: Point) => onStroke(tile.seed, from, to) } : {})}
          onHover={(at) => onHover(tile.seed, at)}
          onEnlarge={() => onEnlarge(tile.seed)}
        />
      ))}
    </div>
  );
}
