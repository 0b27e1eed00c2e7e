/**
 * What each collaborator publishes through y-protocols awareness. All
 * fields are optional so a client can publish them as they become known.
 */
import { z } from "zod";
import { MAX_SEED } from "./doc";

export const awarenessStateSchema = z.looseObject({
  name: z.string().max(60).optional(),
  /** CSS hex colour, e.g. "#e4572e". */
  colour: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .optional(),
  /** Pointer over a grid image, in image pixels; null when away. */
  cursor: z
    .object({
      seed: z.number().int().min(0).max(MAX_SEED),
      x: z.number().finite(),
      y: z.number().finite(),
    })
    .nullable()
    .optional(),
  /** Active tool, e.g. "copy", "paste", "context", "erase". */
  tool: z.string().max(40).optional(),
  /** Seed of the image the user is working on; null for none. */
  image: z.number().int().min(0).max(MAX_SEED).nullable().optional(),
});
export type AwarenessState = z.infer<typeof awarenessStateSchema>;
