/**
 * Benchmarks: `npm run bench` runs them all, `npm run bench -- <name> [options]`
 * one of them. Each prints its figures to stdout.
 */
import { benchPropagation } from "./propagation";
import { benchRewrite } from "./rewrite";

const benches: Record<string, (argv: readonly string[]) => Promise<void>> = {
  rewrite: benchRewrite,
  propagation: benchPropagation,
};

const [name, ...rest] = process.argv.slice(2);
const chosen = name === undefined ? Object.keys(benches) : [name];
for (const bench of chosen) {
  const run = benches[bench];
  if (!run) {
    process.stderr.write(`unknown bench "${bench}" (have: ${Object.keys(benches).join(", ")})\n`);
    process.exit(2);
  }
  await run(name === undefined ? [] : rest);
}
