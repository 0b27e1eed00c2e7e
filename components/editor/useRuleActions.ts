"use client";

import { useState } from "react";
import { addRule, moveRule, newRuleEntry, removeRule, updateRule, type RuleEntry, type SessionMeta } from "@/shared/protocol";
import { parseRule, type RuleContext } from "@/shared/rewrite/rule";
import type { Draft, DraftAction } from "@/app/_lib/draft";
import { recordSnapshot, restoreRules, type HistoryEntry } from "@/app/_lib/history";
import { draftFromRule, ruleFromDraft } from "@/app/_lib/ruleSpec";
import { parseRuleSet, serialiseRuleSet } from "@/app/_lib/ruleSet";
import type { SessionClient } from "@/app/_lib/sessionClient";
import { readShare, takeSnapshot } from "@/app/_lib/snapshots";
import type { RuleListActions } from "@/components/rules/RuleList";
import type { RuleUndo } from "@/components/session/useRuleUndo";
import type { SolverSettings } from "@/components/tools/RuleSettingsPanel";
import type { Notice } from "./useServerEvents";

/** A fresh rule id: 18 random hex digits. */
export function newRuleId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface RuleActionDeps {
  readonly client: SessionClient;
  readonly token: string;
  readonly meta: SessionMeta | null;
  readonly context: (RuleContext & { model: string }) | null;
  readonly rules: readonly RuleEntry[];
  readonly draft: Draft;
  readonly dispatch: (action: DraftAction) => void;
  readonly solver: SolverSettings;
  readonly undo: RuleUndo;
  readonly author: string;
  readonly notify: (notice: Notice | null) => void;
}

/**
 * Everything a user does to the shared rule list, as document transactions
 * with this user's origin (so their undo covers them): execute the draft,
 * edit, reorder and delete rules, save and load rule sets, take and restore
 * snapshots. Each discrete action starts its own undo step.
 */
export function useRuleActions(deps: RuleActionDeps) {
  const { client, meta, context, rules, undo, notify } = deps;
  const doc = client.doc;
  const local = client.localOrigin;
  const [historyBusy, setHistoryBusy] = useState(false);

  const execute = async () => {
    if (!context || !meta) return;
    try {
      const spec = ruleFromDraft(deps.draft, { model: context.model, layer: meta.layer, ...deps.solver }, context);
      const id = newRuleId();
      undo.separate();
      addRule(doc, newRuleEntry(id, spec, `Rule ${rules.length + 1}`), local);
      deps.dispatch({ type: "reset" });
      await client.flush();
      await client.execute(id);
      notify({ text: "Solving the rule on the server…", error: false });
    } catch (error) {
      notify({ text: messageOf(error), error: true });
    }
  };

  const discrete = (change: () => void) => {
    undo.separate();
    change();
  };

  const list: RuleListActions = {
    rename: (id, name) => discrete(() => updateRule(doc, id, { name }, local)),
    setEnabled: (id, enabled) => discrete(() => updateRule(doc, id, { enabled }, local)),
    // A strength drag merges into one undo step.
    setStrength: (id, strength) => updateRule(doc, id, { strength }, local),
    remove: (id) => discrete(() => removeRule(doc, id, local)),
    move: (id, index) => discrete(() => moveRule(doc, id, index, local)),
    show: (id) => {
      const rule = rules.find((r) => r.id === id);
      if (!rule || !context) return;
      try {
        deps.dispatch({ type: "replace", draft: draftFromRule(parseRule(rule.spec, context)) });
        notify({ text: `Showing the masks of "${rule.name}"; Execute would add them as a new rule.`, error: false });
      } catch (error) {
        notify({ text: messageOf(error), error: true });
      }
    },
    retry: (id) => {
      client.execute(id).catch(() => undefined);
    },
    undo: undo.undo,
    redo: undo.redo,
    save: () => {
      if (!meta) return;
      const blob = new Blob([serialiseRuleSet(meta.model, rules)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${meta.title || "rules"}.json`;
      link.click();
      URL.revokeObjectURL(link.href);
    },
    load: async (text) => {
      if (!context) return;
      try {
        const set = parseRuleSet(text, context);
        const ids = set.rules.map(() => newRuleId());
        undo.separate();
        doc.transact(() => {
          set.rules.forEach((saved, i) => {
            const entry = { ...newRuleEntry(ids[i]!, saved.spec, saved.name), enabled: saved.enabled, strength: saved.strength };
            addRule(doc, entry, local);
          });
        }, local);
        await client.flush();
        await Promise.all(ids.map((id) => client.execute(id)));
        notify({ text: `Loaded ${ids.length} rule(s); solving them on the server.`, error: false });
      } catch (error) {
        notify({ text: messageOf(error), error: true });
      }
    },
  };

  const snapshot = async (): Promise<string | null> => {
    setHistoryBusy(true);
    try {
      const { shareId } = await takeSnapshot(client.sessionId, deps.token);
      recordSnapshot(doc, { shareId, at: Date.now(), by: deps.author, rules: rules.length, note: "" }, local);
      return shareId;
    } catch (error) {
      notify({ text: messageOf(error), error: true });
      return null;
    } finally {
      setHistoryBusy(false);
    }
  };

  const restore = async (entry: HistoryEntry) => {
    setHistoryBusy(true);
    try {
      const share = await readShare(entry.shareId);
      undo.separate();
      restoreRules(doc, share.rules, local);
      const when = new Date(entry.at).toLocaleTimeString();
      notify({ text: `Restored the ${share.rules.length} rule(s) of ${when} (Undo reverts).`, error: false });
    } catch (error) {
      notify({ text: messageOf(error), error: true });
    } finally {
      setHistoryBusy(false);
    }
  };

  return { execute, list, snapshot, restore, historyBusy };
}
