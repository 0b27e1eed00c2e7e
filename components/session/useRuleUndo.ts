"use client";

import { useEffect, useState } from "react";
import * as Y from "yjs";
import { ruleOrderArray, rulesMap } from "@/shared/protocol";
import type { SessionClient } from "@/app/_lib/sessionClient";

export interface RuleUndo {
  readonly undo: () => void;
  readonly redo: () => void;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Starts a new undo step: the next change is not merged with the last. */
  readonly separate: () => void;
}

/**
 * Undo and redo of this user's own changes to the rule list (adding,
 * deleting, reordering, renaming, strength, on/off). Changes from others and
 * from the server (status, progress) are never undone. Changes within
 * 400 ms merge into one step (a strength drag) unless `separate` is called
 * first, as discrete actions do.
 */
export function useRuleUndo(client: SessionClient | null): RuleUndo {
  const [manager, setManager] = useState<Y.UndoManager | null>(null);
  const [, setVersion] = useState(0);

  useEffect(() => {
    if (!client) return;
    const undo = new Y.UndoManager([rulesMap(client.doc), ruleOrderArray(client.doc)], {
      trackedOrigins: new Set([client.localOrigin]),
      captureTimeout: 400,
    });
    const bump = () => setVersion((v) => v + 1);
    undo.on("stack-item-added", bump);
    undo.on("stack-item-popped", bump);
    undo.on("stack-cleared", bump);
    setManager(undo);
    return () => {
      undo.destroy();
      setManager(null);
    };
  }, [client]);

  return {
    undo: () => manager?.undo(),
    redo: () => manager?.redo(),
    canUndo: (manager?.undoStack.length ?? 0) > 0,
    canRedo: (manager?.redoStack.length ?? 0) > 0,
    separate: () => manager?.stopCapturing(),
  };
}
