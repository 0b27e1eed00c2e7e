"use client";

import type { Region } from "@/app/_lib/draft";
import { PixelCanvas } from "@/components/grid/PixelCanvas";
import { overlayPixels } from "@/app/_lib/overlay";

/**
 * Thumbnails of every context region of the draft (original image with its
 * mask), each with a remove button.
 */
export function ContextTray({
  regions,
  imageFor,
  srcFor,
  size,
  onRemove,
  disabled,
}: {
  regions: readonly Region[];
  imageFor: (seed: number) => Uint8ClampedArray | null;
  /** The server's image, shown until the browser's original is rendered. */
  srcFor: (seed: number) => string;
  size: number;
  onRemove: (seed: number) => void;
  disabled: boolean;
}) {
  return (
    <section className="flex flex-col gap-1" aria-label="Context tray">
      <h3 className="text-xs font-medium text-context">Context ({regions.length})</h3>
      {regions.length === 0 ? (
        <p className="text-xs text-slate-500">
          No context yet: the paste region is used. Paint with Context (X) on images where the rule should apply.
        </p>
      ) : (
        <ul className="flex flex-wrap gap-1" data-testid="context-tray">
          {regions.map((region) => (
            <li key={region.seed} className="relative h-14 w-14" data-testid={`context-${region.seed}`}>
              <div className="relative h-full w-full overflow-hidden rounded bg-slate-800">
                {imageFor(region.seed) === null && (
                  <img src={srcFor(region.seed)} alt="" className="pixelated absolute inset-0 h-full w-full" />
                )}
                <PixelCanvas rgba={imageFor(region.seed)} size={size} />
                <PixelCanvas rgba={overlayPixels([{ role: "context", mask: region.mask }], size, 170)} size={size} />
              </div>
              <span className="absolute bottom-0 left-0 rounded-tr bg-black/60 px-0.5 font-mono text-[9px]">
                #{region.seed}
              </span>
              {!disabled && (
                <button
                  type="button"
                  onClick={() => onRemove(region.seed)}
                  aria-label={`Remove context on #${region.seed}`}
                  className="absolute -right-1 -top-1 h-4 w-4 rounded-full bg-rose-600 text-[10px] leading-4 text-white"
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
