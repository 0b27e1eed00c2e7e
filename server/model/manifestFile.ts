import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { writeFileAtomic } from "./binaryFile";
import { ModelError } from "./errors";
import { MANIFEST_FILE, parseManifest } from "./manifest";

type JsonObject = Record<string, unknown>;

/**
 * Changes `<directory>/manifest.json` in place: reads the file as it is now
 * (the Python export may have rewritten it), lets `change` edit the raw
 * JSON, and writes it back with every key it did not touch kept as it was.
 * The output keeps Python's `json.dump(indent=2)` look (2-space indent,
 * non-ASCII escaped) so a diff shows only the change. Refuses to write a
 * result that is no longer a valid manifest.
 */
export async function updateManifestFile(
  directory: string,
  change: (manifest: JsonObject) => void,
): Promise<void> {
  const path = join(directory, MANIFEST_FILE);
  const json = JSON.parse(await readFile(path, "utf8")) as unknown;
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ModelError("manifest-invalid", `${path} is not a JSON object`);
  }
  change(json as JsonObject);
  const text = asciiJson(json);
  parseManifest(text, path);
  await writeFileAtomic(path, text);
}

function asciiJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
