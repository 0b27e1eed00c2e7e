/**
 * The session document: the state every collaborator shares, as a Y.Doc.
 *
 * Top-level types (names in `DocKeys`):
 * - `session` (Y.Map): `schema` (number, `DOC_SCHEMA_VERSION`), `model`
 *   (model name, fixed at creation), `layer` (the layer new rules rewrite),
 *   `title`, `render` (`RenderState | null`, written by the server when the
 *   sample grid for the current rule set is ready).
 * - `seeds` (Y.Array<number>): the grid's latent seeds, in display order.
 * - `rules` (Y.Map<Y.Map>): rule id → rule fields (see `RuleEntry`).
 * - `ruleOrder` (Y.Array<string>): rule ids in application order. Readers
 *   drop duplicate ids (concurrent moves) and append rules missing from it.
 *
 * Every writer goes through the accessors below, one transaction per user
 * action, with an origin saying who made it.
 */
import * as Y from "yjs";
import { z } from "zod";

export const DOC_SCHEMA_VERSION = 1;

export const DocKeys = {
  session: "session",
  seeds: "seeds",
  rules: "rules",
  ruleOrder: "ruleOrder",
} as const;

/** Largest grid a session may hold. */
export const MAX_SEEDS = 64;
/** Largest rule list a session may hold. */
export const MAX_RULES = 64;
/** Seeds feed numpy's RandomState, which takes 32-bit unsigned seeds. */
export const MAX_SEED = 2 ** 32 - 1;

export const RULE_STATUSES = [
  "draft",
  "queued",
  "running",
  "done",
  "failed",
  "cancelled",
] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

const errorSchema = z.object({
  code: z.string().max(64),
  reason: z.string().max(1000),
});

/** One rule as stored in the document. */
export const ruleEntrySchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(200),
  /** The rule itself (masks, images, layer), in the engine's JSON schema. */
  spec: z.unknown(),
  enabled: z.boolean(),
  /** Multiplier on the rule's delta when composing: W0 + Σ strength·ΛD. */
  strength: z.number().finite().min(-4).max(4),
  status: z.enum(RULE_STATUSES),
  /** Fraction of the current job done, in [0, 1]. */
  progress: z.number().min(0).max(1),
  /** Hash of the stored delta, set by the server when status is "done". */
  deltaHash: z.string().max(128).nullable(),
  error: errorSchema.nullable(),
});
export type RuleEntry = z.infer<typeof ruleEntrySchema>;

/** What the server last rendered for the session's grid. */
export const renderStateSchema = z.object({
  /** Hash of the enabled, solved rules (delta hashes and strengths). */
  rulesHash: z.string().max(128),
  seeds: z.array(z.number().int()).max(MAX_SEEDS),
  /** Server clock when rendering finished (ms since epoch). */
  at: z.number(),
});
export type RenderState = z.infer<typeof renderStateSchema>;

export const sessionMetaSchema = z.object({
  schema: z.literal(DOC_SCHEMA_VERSION),
  model: z.string().min(1).max(100),
  layer: z.string().min(1).max(100),
  title: z.string().max(200),
  render: renderStateSchema.nullable(),
});
export type SessionMeta = z.infer<typeof sessionMetaSchema>;

export const seedSchema = z.number().int().min(0).max(MAX_SEED);

/** Where a transaction came from; observers skip their own echoes. */
export type DocOrigin =
  | { readonly source: "socket"; readonly socketId: string }
  | { readonly source: "server"; readonly task: string }
  | { readonly source: "remote"; readonly processId: string }
  | { readonly source: "restore" }
  | { readonly source: "local" };

/** Initial contents of a new session document. */
export interface SessionInit {
  readonly model: string;
  readonly layer: string;
  readonly seeds: readonly number[];
  readonly title?: string;
  readonly rules?: readonly RuleEntry[];
}

export function sessionMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(DocKeys.session);
}
export function seedsArray(doc: Y.Doc): Y.Array<number> {
  return doc.getArray<number>(DocKeys.seeds);
}
export function rulesMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>(DocKeys.rules);
}
export function ruleOrderArray(doc: Y.Doc): Y.Array<string> {
  return doc.getArray<string>(DocKeys.ruleOrder);
}

/** Writes a fresh session's contents in one transaction. */
export function initSessionDoc(
  doc: Y.Doc,
  init: SessionInit,
  origin: DocOrigin = { source: "local" },
): void {
  doc.transact(() => {
    const session = sessionMap(doc);
    session.set("schema", DOC_SCHEMA_VERSION);
    session.set("model", init.model);
    session.set("layer", init.layer);
    session.set("title", init.title ?? "");
    session.set("render", null);
    seedsArray(doc).insert(0, [...init.seeds]);
    for (const rule of init.rules ?? []) insertRule(doc, rule);
  }, origin);
}

/** The session's scalar fields, parsed; throws if they break the schema. */
export function readSessionMeta(doc: Y.Doc): SessionMeta {
  return sessionMetaSchema.parse(sessionMap(doc).toJSON());
}

export function readSeeds(doc: Y.Doc): number[] {
  return seedsArray(doc).toArray();
}

/** Replaces the grid's seeds. */
export function setSeeds(
  doc: Y.Doc,
  seeds: readonly number[],
  origin: DocOrigin = { source: "local" },
): void {
  doc.transact(() => {
    const array = seedsArray(doc);
    array.delete(0, array.length);
    array.insert(0, [...seeds]);
  }, origin);
}

export function setLayer(
  doc: Y.Doc,
  layer: string,
  origin: DocOrigin = { source: "local" },
): void {
  doc.transact(() => sessionMap(doc).set("layer", layer), origin);
}

export function setRenderState(
  doc: Y.Doc,
  render: RenderState,
  origin: DocOrigin = { source: "local" },
): void {
  doc.transact(() => sessionMap(doc).set("render", render), origin);
}

/** Rule ids in application order: deduplicated, complete. */
export function readRuleOrder(doc: Y.Doc): string[] {
  const rules = rulesMap(doc);
  const seen = new Set<string>();
  const order: string[] = [];
  for (const id of ruleOrderArray(doc).toArray()) {
    if (seen.has(id) || !rules.has(id)) continue;
    seen.add(id);
    order.push(id);
  }
  const missing = [...rules.keys()].filter((id) => !seen.has(id)).sort();
  return [...order, ...missing];
}

/** The rule with this id, or null when absent. Throws if malformed. */
export function readRule(doc: Y.Doc, id: string): RuleEntry | null {
  const map = rulesMap(doc).get(id);
  return map === undefined ? null : ruleEntrySchema.parse(map.toJSON());
}

/** All rules in application order. Throws if any is malformed. */
export function readRules(doc: Y.Doc): RuleEntry[] {
  return readRuleOrder(doc).map((id) => {
    const rule = readRule(doc, id);
    if (rule === null) throw new Error(`rule ${id} vanished while reading`);
    return rule;
  });
}

/** A new rule's defaults: enabled, strength 1, not yet solved. */
export function newRuleEntry(
  id: string,
  spec: unknown,
  name = "",
): RuleEntry {
  return {
    id,
    name,
    spec,
    enabled: true,
    strength: 1,
    status: "draft",
    progress: 0,
    deltaHash: null,
    error: null,
  };
}

function insertRule(doc: Y.Doc, rule: RuleEntry, index?: number): void {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(ruleEntrySchema.parse(rule))) {
    map.set(key, value ?? null);
  }
  rulesMap(doc).set(rule.id, map);
  const order = ruleOrderArray(doc);
  order.insert(Math.min(index ?? order.length, order.length), [rule.id]);
}

/** Adds a rule at `index` (default: last). */
export function addRule(
  doc: Y.Doc,
  rule: RuleEntry,
  origin: DocOrigin = { source: "local" },
  index?: number,
): void {
  doc.transact(() => insertRule(doc, rule, index), origin);
}

/** Sets some fields of a rule; returns false when the rule is absent. */
export function updateRule(
  doc: Y.Doc,
  id: string,
  patch: Partial<Omit<RuleEntry, "id">>,
  origin: DocOrigin = { source: "local" },
): boolean {
  const map = rulesMap(doc).get(id);
  if (map === undefined) return false;
  doc.transact(() => {
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) map.set(key, value);
    }
  }, origin);
  return true;
}

export function removeRule(
  doc: Y.Doc,
  id: string,
  origin: DocOrigin = { source: "local" },
): void {
  doc.transact(() => {
    rulesMap(doc).delete(id);
    const order = ruleOrderArray(doc);
    for (let i = order.length - 1; i >= 0; i--) {
      if (order.get(i) === id) order.delete(i, 1);
    }
  }, origin);
}

/** Moves a rule to position `index` of the application order. */
export function moveRule(
  doc: Y.Doc,
  id: string,
  index: number,
  origin: DocOrigin = { source: "local" },
): void {
  doc.transact(() => {
    const order = ruleOrderArray(doc);
    for (let i = order.length - 1; i >= 0; i--) {
      if (order.get(i) === id) order.delete(i, 1);
    }
    order.insert(Math.max(0, Math.min(index, order.length)), [id]);
  }, origin);
}

/** Why a document breaks the schema, or null when it is valid. */
export function findSchemaViolation(doc: Y.Doc): string | null {
  const meta = sessionMetaSchema.safeParse(sessionMap(doc).toJSON());
  if (!meta.success) return `session: ${meta.error.issues[0]?.message}`;
  const seeds = seedsArray(doc).toArray();
  if (seeds.length > MAX_SEEDS) return `more than ${MAX_SEEDS} seeds`;
  if (!seeds.every((s) => seedSchema.safeParse(s).success)) {
    return "seeds must be integers in [0, 2^32)";
  }
  const rules = rulesMap(doc);
  if (rules.size > MAX_RULES) return `more than ${MAX_RULES} rules`;
  for (const [id, map] of rules.entries()) {
    if (!(map instanceof Y.Map)) return `rule ${id} is not a map`;
    const parsed = ruleEntrySchema.safeParse(map.toJSON());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `rule ${id}: ${issue?.path.join(".")} ${issue?.message}`;
    }
    if (parsed.data.id !== id) return `rule ${id} has id ${parsed.data.id}`;
  }
  if (!ruleOrderArray(doc).toArray().every((id) => typeof id === "string")) {
    return "ruleOrder must hold rule ids";
  }
  return null;
}
