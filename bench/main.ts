/**
 * Benchmarks: `npm run bench` runs them all, `npm run bench -- <name> [options]`
 * one of them. Each prints its figures to stdout; what it printed (and the
 * rows it returns, if any) is also saved to bench/results.json and
 * bench/results.md (see results.ts).
 */
import { benchGeneration } from "./generation";
import { benchPreview } from "./preview";
import { benchPropagation } from "./propagation";
import { captureStdout, machine, saveResults, type BenchResults } from "./results";
import { benchRewrite } from "./rewrite";

const benches: Record<string, (argv: readonly string[]) => Promise<unknown>> = {
  rewrite: benchRewrite,
  propagation: benchPropagation,
  generation: benchGeneration,
  preview: benchPreview,
};

const [name, ...rest] = process.argv.slice(2);
const chosen = name === undefined ? Object.keys(benches) : [name];
const results: BenchResults = {};
for (const bench of chosen) {
  const run = benches[bench];
  if (!run) {
    process.stderr.write(`unknown bench "${bench}" (have: ${Object.keys(benches).join(", ")})\n`);
    process.exit(2);
  }
  const argv = name === undefined ? [] : rest;
  const { value, output } = await captureStdout(() => run(argv));
  results[bench] = {
    at: new Date().toISOString(),
    argv,
    machine: machine(),
    output,
    ...(value === undefined ? {} : { rows: value }),
  };
  await saveResults(results);
}
