"use client";

import { useEffect, useRef, useState } from "react";
import type * as Y from "yjs";

/**
 * `read(doc)`, re-read after every transaction on the document. `read` may
 * throw while the document is still empty or mid-migration; `fallback` is
 * returned then. Re-renders only when the JSON of the value changes.
 */
export function useDocValue<T>(doc: Y.Doc | null, read: (doc: Y.Doc) => T, fallback: T): T {
  const readRef = useRef(read);
  readRef.current = read;
  const [value, setValue] = useState<T>(fallback);
  const lastJson = useRef<string>("");

  useEffect(() => {
    if (!doc) return;
    const refresh = () => {
      let next: T;
      try {
        next = readRef.current(doc);
      } catch {
        return;
      }
      const json = JSON.stringify(next);
      if (json === lastJson.current) return;
      lastJson.current = json;
      setValue(next);
    };
    refresh();
    doc.on("afterTransaction", refresh);
    return () => doc.off("afterTransaction", refresh);
  }, [doc]);

  return value;
}
