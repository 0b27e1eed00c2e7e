"use client";

import { useEffect, useState } from "react";
import { modelFileUrl, parseManifest, type ModelManifest } from "@/app/_lib/manifest";

/** The manifest of `model` from /api/models/<model>/manifest.json. */
export function useManifest(model: string | null): ModelManifest | null {
  const [manifest, setManifest] = useState<ModelManifest | null>(null);
  useEffect(() => {
    if (!model) return;
    let live = true;
    fetch(modelFileUrl(model, "manifest.json"))
      .then((r) => r.json())
      .then((json: unknown) => live && setManifest(parseManifest(json)))
      .catch(() => live && setManifest(null));
    return () => {
      live = false;
    };
  }, [model]);
  return manifest;
}
