/**
 * Persistence of benchmark results: each bench's printed output (and its
 * structured rows, when it returns any) goes into bench/results.json, merged
 * with the benches not run this time, and bench/results.md renders the
 * same. Both are committed so the latest figures travel with the code.
 */
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";

const JSON_FILE = new URL("./results.json", import.meta.url).pathname;
const MD_FILE = new URL("./results.md", import.meta.url).pathname;

export interface BenchResult {
  readonly at: string;
  readonly argv: readonly string[];
  readonly machine: string;
  /** What the bench printed. */
  readonly output: string;
  /** Its table rows, when it returns them. */
  readonly rows?: unknown;
}

export type BenchResults = Record<string, BenchResult>;

/** Runs `work` while copying everything written to stdout into the returned text. */
export async function captureStdout<T>(work: () => Promise<T>): Promise<{ value: T; output: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let output = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    output += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { value: await work(), output };
  } finally {
    process.stdout.write = original;
  }
}

export function machine(): string {
  return `${cpus()[0]?.model ?? "CPU"}, ${availableParallelism()} cores, node ${process.version}`;
}

/** Merges `fresh` into the stored results and rewrites both files. */
export async function saveResults(fresh: BenchResults): Promise<void> {
  let stored: BenchResults = {};
  try {
    stored = JSON.parse(await readFile(JSON_FILE, "utf8")) as BenchResults;
  } catch {
    stored = {};
  }
  const merged = { ...stored, ...fresh };
  await writeFile(JSON_FILE, `${JSON.stringify(merged, null, 1)}\n`);
  await writeFile(MD_FILE, renderMarkdown(merged));
}

function renderMarkdown(results: BenchResults): string {
  const sections = Object.entries(results).map(
    ([name, r]) =>
      `## ${name}\n\n\`npm run bench -- ${[name, ...r.argv].join(" ")}\` on ${r.at} (${r.machine})\n\n` +
      `\`\`\`\n${r.output.trimEnd()}\n\`\`\`\n`,
  );
  return `# Latest benchmark results\n\nWritten by \`npm run bench\` (bench/main.ts); rerun to refresh.\n\n${sections.join("\n")}`;
}
