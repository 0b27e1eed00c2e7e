"use client";

import { useEffect, useRef } from "react";

/** Whether the event comes from a field where keys mean text. */
function typing(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Calls `onKey` for keys pressed outside text fields (lower-cased key,
 * and the event for modifiers). Returns a ref telling whether Ctrl or ⌘
 * is held (the temporary eraser).
 */
export function useKeyboard(onKey: (key: string, event: KeyboardEvent) => void) {
  const handler = useRef(onKey);
  handler.current = onKey;
  const modifier = useRef(false);
  useEffect(() => {
    const down = (event: KeyboardEvent) => {
      modifier.current = event.ctrlKey || event.metaKey;
      if (!typing(event)) handler.current(event.key.toLowerCase(), event);
    };
    const up = (event: KeyboardEvent) => {
      modifier.current = event.ctrlKey || event.metaKey;
    };
    window.addEventListener("keydown", down);
    window.addEventListener("keyup", up);
    return () => {
      window.removeEventListener("keydown", down);
      window.removeEventListener("keyup", up);
    };
  }, []);
  return modifier;
}
