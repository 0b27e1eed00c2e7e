import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pino, { type Logger } from "pino";

/** The model folder the project ships. */
export const SHIPPED_MODEL = new URL("../../models/town64/", import.meta.url).pathname;

/** A logger that drops everything. */
export const silentLogger: Logger = pino({ level: "silent" });

/** A logger that keeps every record, parsed, for assertions. */
export function recordingLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void records.push(JSON.parse(line)) };
  return { logger: pino({ level: "debug" }, stream), records };
}

/** A scratch copy of the shipped model folder; call `remove` when done. */
export async function copyOfShippedModel(): Promise<{ directory: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "rewrite-model-"));
  const directory = join(root, "model");
  await cp(SHIPPED_MODEL, directory, { recursive: true });
  return { directory, remove: () => rm(root, { recursive: true, force: true }) };
}
