"use client";

import { useEffect, useRef } from "react";

/**
 * Draws size×size RGBA pixels on a canvas that fills its parent, scaled up
 * without smoothing. Draws nothing (transparent) while `rgba` is null.
 */
export function PixelCanvas({
  rgba,
  size,
  className = "",
  style,
  testId,
}: {
  rgba: Uint8ClampedArray | null;
  size: number;
  className?: string;
  style?: React.CSSProperties;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const context = ref.current?.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, size, size);
    if (rgba && rgba.length === size * size * 4) {
      context.putImageData(new ImageData(new Uint8ClampedArray(rgba), size, size), 0, 0);
    }
  }, [rgba, size]);

  return (
    <canvas
      ref={ref}
      width={size}
      height={size}
      data-testid={testId}
      data-ready={rgba ? "true" : "false"}
      className={`pixelated absolute inset-0 h-full w-full ${className}`}
      style={style}
    />
  );
}
