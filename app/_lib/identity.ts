import { z } from "zod";

/**
 * How this browser appears to collaborators: a display name and a colour,
 * remembered in localStorage under IDENTITY_KEY.
 */

export const IDENTITY_KEY = "rewrite.identity";

/** Colours that stay distinct from the brush roles and readable on dark. */
export const PRESENCE_COLOURS = [
  "#e4572e",
  "#a855f7",
  "#eab308",
  "#ec4899",
  "#14b8a6",
  "#f43f5e",
  "#8b5cf6",
  "#06b6d4",
] as const;

const ANIMALS = ["Heron", "Otter", "Lynx", "Finch", "Marten", "Ibis", "Stoat", "Wren", "Koala", "Tapir"];

const identitySchema = z.object({
  name: z.string().min(1).max(60),
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/),
});
export type Identity = z.infer<typeof identitySchema>;

export function randomIdentity(random: () => number = Math.random): Identity {
  const animal = ANIMALS[Math.floor(random() * ANIMALS.length)]!;
  const colour = PRESENCE_COLOURS[Math.floor(random() * PRESENCE_COLOURS.length)]!;
  return { name: `${animal} ${Math.floor(random() * 90 + 10)}`, colour };
}

/** The stored identity, or null when missing or malformed. */
export function parseIdentity(text: string | null): Identity | null {
  if (!text) return null;
  try {
    const parsed = identitySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
