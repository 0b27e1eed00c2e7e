"use client";

import { useMemo, useRef, useState } from "react";
import type { Point } from "@/app/_lib/mask";
import { overlayPixels, type RoleMask } from "@/app/_lib/overlay";
import { PixelCanvas } from "./PixelCanvas";

/** How a tile shows the model's images: edited, original, or split. */
export type CompareMode = "after" | "before" | "split";

export interface RemoteCursor {
  readonly id: number;
  readonly name: string;
  readonly colour: string;
  readonly at: Point;
}

export interface SampleTileProps {
  seed: number;
  size: number;
  /** URL of the server's image for the current rule set; null when none. */
  serverSrc: string | null;
  /** Browser preview of the current rule set; null while loading or unknown. */
  after: Uint8ClampedArray | null;
  /** The server's image lags behind the rules (a newer preview should show). */
  serverStale: boolean;
  /** Original image; null while loading or when not needed. */
  before: Uint8ClampedArray | null;
  mode: CompareMode;
  /** Fraction of the width showing `before` in split mode. */
  split: number;
  masks: readonly RoleMask[];
  heatmap: Uint8ClampedArray | null;
  cursors: readonly RemoteCursor[];
  /** Painting is enabled when set; called per pointer segment. */
  onStroke?: (from: Point, to: Point) => void;
  onHover?: (at: Point | null) => void;
  onEnlarge?: () => void;
  selected?: boolean;
  label?: string;
}

/**
 * One sample of the grid: a fixed square box (no layout jump while loading)
 * with the image, the painted masks, a match heatmap and other people's
 * cursors stacked on top. Pointer positions are reported in image pixels.
 */
export function SampleTile(props: SampleTileProps) {
  const { seed, size, after, before, mode, split, masks } = props;
  const box = useRef<HTMLDivElement>(null);
  const last = useRef<Point | null>(null);
  const overlay = useMemo(() => overlayPixels(masks, size), [masks, size]);

  const toImage = (event: React.PointerEvent): Point => {
    const rect = box.current!.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * size,
      y: ((event.clientY - rect.top) / rect.height) * size,
    };
  };

  const onPointerDown = (event: React.PointerEvent) => {
    if (!props.onStroke || event.button !== 0) return;
    event.preventDefault();
    box.current?.setPointerCapture(event.pointerId);
    const at = toImage(event);
    last.current = at;
    props.onStroke(at, at);
  };
  const onPointerMove = (event: React.PointerEvent) => {
    const at = toImage(event);
    props.onHover?.(at);
    if (last.current && props.onStroke) {
      props.onStroke(last.current, at);
      last.current = at;
    }
  };
  const endStroke = () => {
    last.current = null;
  };

  // The server's image wins once loaded; until then the browser preview, or
  // the previous server image, stands in.
  const [loadedSrc, setLoadedSrc] = useState<string | null>(null);
  const serverCurrent = props.serverSrc !== null && loadedSrc === props.serverSrc && !(props.serverStale && after !== null);
  const showPreview = !serverCurrent && after !== null;
  const showStale = !serverCurrent && !showPreview && loadedSrc !== null;
  const loading = mode === "before" ? before === null : !serverCurrent && !showPreview && !showStale;

  return (
    <figure
      className="flex flex-col gap-1"
      data-testid={`tile-${seed}`}
      data-seed={seed}
      data-server-src={serverCurrent ? loadedSrc ?? "" : ""}
      data-preview={showPreview ? "true" : "false"}
    >
      <div
        ref={box}
        className={`relative aspect-square w-full touch-none select-none overflow-hidden rounded bg-slate-800 ${
          props.onStroke ? "cursor-crosshair" : "cursor-default"
        } ${props.selected ? "ring-2 ring-sky-400" : ""}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endStroke}
        onPointerCancel={endStroke}
        onPointerLeave={() => props.onHover?.(null)}
        onDoubleClick={props.onEnlarge}
        data-testid={`paint-${seed}`}
      >
        {loading && <div className="absolute inset-0 animate-pulse bg-slate-700/60" />}
        {(serverCurrent || showStale) && loadedSrc && (
          <img src={loadedSrc} alt={`Sample ${seed}`} draggable={false} className="pixelated absolute inset-0 h-full w-full" />
        )}
        {props.serverSrc && props.serverSrc !== loadedSrc && (
          <img src={props.serverSrc} alt="" aria-hidden className="hidden" onLoad={() => setLoadedSrc(props.serverSrc)} />
        )}
        <PixelCanvas rgba={showPreview ? after : null} size={size} testId={`preview-${seed}`} />
        {mode === "before" && <PixelCanvas rgba={before} size={size} />}
        {mode === "split" && (
          <PixelCanvas
            rgba={before}
            size={size}
            style={{ clipPath: `inset(0 ${(1 - split) * 100}% 0 0)` }}
          />
        )}
        {mode === "split" && (
          <div
            className="pointer-events-none absolute inset-y-0 w-px bg-white/80"
            style={{ left: `${split * 100}%` }}
          />
        )}
        <PixelCanvas rgba={props.heatmap} size={size} testId={`heat-${seed}`} />
        <PixelCanvas rgba={overlay} size={size} testId={`overlay-${seed}`} />
        {props.cursors.map((cursor) => (
          <div
            key={cursor.id}
            className="pointer-events-none absolute flex -translate-x-1.5 -translate-y-1.5 items-start gap-0.5"
            style={{ left: `${(cursor.at.x / size) * 100}%`, top: `${(cursor.at.y / size) * 100}%` }}
            title={cursor.name}
            data-testid="remote-cursor"
          >
            <span className="h-3 w-3 shrink-0 rounded-full border-2 border-white" style={{ background: cursor.colour }} />
            <span className="whitespace-nowrap rounded px-1 text-[10px] leading-4 text-white" style={{ background: cursor.colour }}>
              {cursor.name}
            </span>
          </div>
        ))}
        {mode !== "before" && showPreview && props.serverSrc !== null && (
          <span className="pointer-events-none absolute left-1 top-1 rounded bg-black/60 px-1 text-[10px] text-amber-200">
            preview
          </span>
        )}
        {props.onEnlarge && (
          <button
            type="button"
            aria-label={`Enlarge sample ${seed}`}
            className="absolute right-1 top-1 rounded bg-black/50 px-1 text-xs text-white opacity-60 hover:opacity-100"
            onPointerDown={(event) => event.stopPropagation()}
            onClick={props.onEnlarge}
          >
            ⤢
          </button>
        )}
      </div>
      <figcaption className="text-center font-mono text-xs text-slate-400">
        {props.label ?? `#${seed}`}
      </figcaption>
    </figure>
  );
}
