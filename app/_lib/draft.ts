import { emptyMask, isEmptyMask, paintStroke, type Mask, type Point } from "./mask";

/**
 * The rule a user is painting before it is executed: one copy region, one
 * paste region and any number of context regions, each a binary mask on one
 * sample. Kept per user (not shared) and changed only through `draftReducer`.
 *
 * Copy and paste each live on one image: painting them on another image
 * moves them there. Context keeps at most one mask per image (ALGORITHM.md
 * §2.5), in the order the images were first painted.
 */

export type Role = "copy" | "paste" | "context";
export const ROLES: readonly Role[] = ["copy", "paste", "context"];

export interface Region {
  readonly seed: number;
  readonly mask: Mask;
}

export interface Draft {
  readonly copy: Region | null;
  readonly paste: Region | null;
  readonly context: readonly Region[];
}

export const EMPTY_DRAFT: Draft = { copy: null, paste: null, context: [] };

export type DraftAction =
  | {
      readonly type: "stroke";
      readonly role: Role;
      readonly seed: number;
      readonly from: Point;
      readonly to: Point;
      readonly radius: number;
      readonly erase: boolean;
    }
  | { readonly type: "clear"; readonly role: Role; readonly seed?: number }
  | { readonly type: "reset" }
  | { readonly type: "replace"; readonly draft: Draft };

export function draftReducer(draft: Draft, action: DraftAction): Draft {
  switch (action.type) {
    case "stroke":
      return applyStroke(draft, action);
    case "clear":
      return clearRole(draft, action.role, action.seed);
    case "reset":
      return EMPTY_DRAFT;
    case "replace":
      return action.draft;
  }
}

/** The mask `role` currently has on image `seed`, if any. */
export function regionMask(draft: Draft, role: Role, seed: number): Mask | null {
  if (role === "context") {
    return draft.context.find((r) => r.seed === seed)?.mask ?? null;
  }
  const region = draft[role];
  return region && region.seed === seed ? region.mask : null;
}

/** Whether the draft has what executing a rule needs: copy and paste. */
export function isExecutable(draft: Draft): boolean {
  return draft.copy !== null && draft.paste !== null;
}

function applyStroke(
  draft: Draft,
  action: Extract<DraftAction, { type: "stroke" }>,
): Draft {
  const { role, seed } = action;
  const before = regionMask(draft, role, seed);
  if (before === null && action.erase) return draft;
  const mask = paintStroke(
    before ?? emptyMask(),
    action.from,
    action.to,
    action.radius,
    !action.erase,
  );
  const region = isEmptyMask(mask) ? null : { seed, mask };
  if (role !== "context") return { ...draft, [role]: region };
  const index = draft.context.findIndex((r) => r.seed === seed);
  const context = [...draft.context];
  if (index < 0 && region) context.push(region);
  else if (region) context[index] = region;
  else context.splice(index, 1);
  return { ...draft, context };
}

function clearRole(draft: Draft, role: Role, seed?: number): Draft {
  if (role !== "context") return { ...draft, [role]: null };
  if (seed === undefined) return { ...draft, context: [] };
  return { ...draft, context: draft.context.filter((r) => r.seed !== seed) };
}
