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
 * The sample grid: as many columns as the screen allows (3 on a phone, up to
 * 8 on a projector), every tile a fixed square.
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
      className="grid grid-cols-3 gap-3 sm:grid-cols-4 lg:grid-cols-4 xl:grid-cols-6 2xl:grid-cols-8"
      data-testid="sample-grid"
    >
      {tiles.map((tile) => (
        <SampleTile
          key={tile.seed}
          seed={tile.seed}
          size={size}
          serverSrc={tile.serverSrc}
          after={tile.after}
          serverStale={tile.serverStale}
          before={tile.before}
          mode={mode}
          split={split}
          masks={tile.masks}
          heatmap={tile.heatmap}
          cursors={tile.cursors}
          selected={selected === tile.seed}
          {...(painting ? { onStroke: (from: Point, to: Point) => onStroke(tile.seed, from, to) } : {})}
          onHover={(at) => onHover(tile.seed, at)}
          onEnlarge={() => onEnlarge(tile.seed)}
        />
      ))}
    </div>
  );
}
