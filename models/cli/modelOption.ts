import { resolve } from "node:path";

import { executionProviderFromEnv, GeneratorModel } from "../../server/model";

import type { CliContext } from "./command";

/** The shipped model folder, whatever the working directory. */
export const DEFAULT_MODEL = new URL("../town64/", import.meta.url).pathname;

/** `--model DIR`, shared by every command that loads the generator. */
export const modelOption = { model: { type: "string" } } as const;

/**
 * Loads the model named by `--model` (default models/town64) on the
 * provider REWRITE_EXECUTION_PROVIDER asks for, and says which one it got.
 */
export async function loadModel(
  directory: string | undefined,
  context: CliContext,
): Promise<GeneratorModel> {
  const model = await GeneratorModel.load(resolve(directory ?? DEFAULT_MODEL), {
    logger: context.logger,
    executionProvider: executionProviderFromEnv(context.env),
  });
  context.stderr(`model ${model.manifest.name} on ${model.executionProvider}\n`);
  return model;
}
