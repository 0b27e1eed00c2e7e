/**
 * `npm run eval`: measures rules the way the paper does, on the shipped
 * model and held-out seeds. Draws the rule set from segmenter labels on scan
 * seeds (eval/rules/), runs every method on every rule, and writes
 * eval/report/ (report.md, results.json, efficacy-vs-collateral.svg).
 *
 *   npm run eval [-- --model DIR] [--layer conv16] [--scan 0-299] [--held-out 5000-5063]
 *                [--methods "ours L2 r1,fine-tune all"] [--rules dome-to-tree,...]
 *                [--finetune-steps 300] [--original-steps 2001]
 *                [--repeats 3] [--out eval/report] [--rules-out eval/rules]
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { ModelFeatures } from "../server/engine/modelFeatures";
import { GeneratorModel, Segmenter } from "../server/model";
import { parseSeedList } from "../shared/latent";
import { measureEdit } from "./measure";
import { METHODS, runMethod, type Method, type MethodContext } from "./methods";
import { ruleTable, scatterSvg, summarise, summaryTable, type EvalRow } from "./report";
import { drawRule, EVAL_RULES, type EvalRule, type EvalRuleSpec } from "./rules";
import { SceneParts, segmentImages, segmentSeeds, type Segmented } from "./scene";

const REPO = new URL("..", import.meta.url).pathname;
const write = (text: string) => process.stdout.write(text);

const { values: opts } = parseArgs({
  options: {
    model: { type: "string", default: join(REPO, "models/town64") },
    layer: { type: "string", default: "conv16" },
    scan: { type: "string", default: "0-299" },
    "held-out": { type: "string", default: "5000-5063" },
    methods: { type: "string", default: METHODS.join(",") },
    rules: { type: "string" },
    "finetune-steps": { type: "string", default: "300" },
    "original-steps": { type: "string", default: "2001" },
    repeats: { type: "string", default: "3" },
    out: { type: "string", default: join(REPO, "eval/report") },
    "rules-out": { type: "string", default: join(REPO, "eval/rules") },
  },
});

const methods = opts.methods.split(",").map((m) => m.trim());
const unknown = methods.filter((m) => !(METHODS as readonly string[]).includes(m));
if (unknown.length > 0) {
  process.stderr.write(`unknown method(s) ${unknown.join(", ")} (have: ${METHODS.join(", ")})\n`);
  process.exit(2);
}
const specs = opts.rules ? EVAL_RULES.filter((s) => opts.rules!.split(",").includes(s.name)) : EVAL_RULES;
const scanSeeds = parseSeedList(opts.scan, { maxCount: 5000 });
const heldOut = parseSeedList(opts["held-out"], { maxCount: 5000 });
const overlap = heldOut.filter((s) => scanSeeds.includes(s));
if (overlap.length > 0) {
  process.stderr.write(`held-out seeds must not be scan seeds (both have ${overlap.slice(0, 5).join(", ")})\n`);
  process.exit(2);
}

const logger = pino({ level: "silent" });
const modelDir = resolve(opts.model);
const model = await GeneratorModel.load(modelDir, { logger, executionProvider: "cpu" });
if (!model.manifest.segmenter) {
  process.stderr.write(`${modelDir} lists no segmenter in its manifest; the evaluation needs one\n`);
  process.exit(1);
}
const segmenter = await Segmenter.load(modelDir, model.manifest, { logger, executionProvider: "cpu" });
const scene = new SceneParts(segmenter.classes);
const source = new ModelFeatures(model, { logger, fallbackSamples: 300 });
const started = new Date();
const modelId = await modelIdentity(modelDir);
write(`eval: model ${modelId}, layer ${opts.layer}, scan ${opts.scan}, held-out ${opts["held-out"]}\n`);

const failures: string[] = [];
const rules = await drawRules(specs);
const ctx: MethodContext = {
  model,
  source,
  heldOut,
  repeats: Number(opts.repeats),
  finetuneSteps: Number(opts["finetune-steps"]),
  originalSteps: Number(opts["original-steps"]),
};
await source.moments.get(opts.layer);
const before = await segmentSeeds(model, segmenter, heldOut, {});
const rows: EvalRow[] = [];
for (const { spec, rule } of rules) {
  for (const method of methods as Method[]) {
    try {
      const outcome = await runMethod(method, rule, ctx);
      const base = outcome.before ? await segmentImages(segmenter, outcome.before) : before;
      const after = await segmentImages(segmenter, outcome.after);
      const row: EvalRow = {
        rule: spec.name,
        edit: spec.edit,
        method,
        ms: outcome.ms,
        ...measureEdit(spec, scene, base, after),
        ...(outcome.note ? { note: outcome.note } : {}),
      };
      rows.push(row);
      write(`  ${spec.name.padEnd(15)} ${method.padEnd(14)} efficacy ${(100 * row.efficacy).toFixed(1).padStart(5)} %  ` +
        `Δout ${row.changeOutside.toFixed(4)}  ${row.ms.toFixed(0)} ms\n`);
    } catch (error) {
      const message = `${spec.name} / ${method}: ${(error as Error).message.split("\n")[0]}`;
      failures.push(message);
      write(`  failed ${message}\n`);
    }
  }
}
await writeReport(rows, failures, rules.map((r) => r.spec), before);
await segmenter.release();
await model.release();

async function drawRules(wanted: readonly EvalRuleSpec[]): Promise<{ spec: EvalRuleSpec; rule: EvalRule }[]> {
  const scanned = await segmentSeeds(model, segmenter, scanSeeds, {});
  await mkdir(opts["rules-out"], { recursive: true });
  const drawn: { spec: EvalRuleSpec; rule: EvalRule }[] = [];
  for (const spec of wanted) {
    const rule = drawRule(spec, model, opts.layer, scene, scanSeeds, scanned);
    if (typeof rule === "string") {
      failures.push(`${spec.name}: ${rule}`);
      write(`  skipped ${spec.name}: ${rule}\n`);
      continue;
    }
    await writeFile(join(opts["rules-out"], `${spec.name}.json`), `${JSON.stringify(rule, null, 1)}\n`);
    drawn.push({ spec, rule });
  }
  write(`drew ${drawn.length} rules into ${relative(REPO, opts["rules-out"])}/\n`);
  return drawn;
}

async function modelIdentity(dir: string): Promise<string> {
  const hash = createHash("sha256").update(await readFile(join(dir, model.manifest.generator))).digest("hex");
  const step = (model.manifest as { training?: { checkpointStep?: number } }).training?.checkpointStep;
  return `${model.manifest.name} (generator.onnx sha256 ${hash.slice(0, 12)}${step === undefined ? "" : `, checkpoint step ${step}`})`;
}

async function writeReport(all: readonly EvalRow[], failed: readonly string[], drawn: readonly EvalRuleSpec[], base: Segmented) {
  const summary = summarise(all, methods as Method[]);
  const baseFreq = base.labels.length;
  const svgName = "efficacy-vs-collateral.svg";
  await mkdir(opts.out, { recursive: true });
  await writeFile(join(opts.out, svgName), scatterSvg(all, summary, `Rewrite rules on ${model.manifest.name}, layer ${opts.layer}, ${heldOut.length} held-out seeds`));
  const results = { model: modelId, layer: opts.layer, scan: opts.scan, heldOut: opts["held-out"], started, rows: all, summary, failures: failed };
  await writeFile(join(opts.out, "results.json"), `${JSON.stringify(results, null, 1)}\n`);
  const report = [
    `# Evaluation: rewriting ${model.manifest.name}`,
    "",
    `Generated by \`npm run eval\` on ${started.toISOString()}: model ${modelId}, layer ${opts.layer}, ` +
      `rules drawn on scan seeds ${opts.scan} (eval/rules/), measured on ${baseFreq} held-out seeds ${opts["held-out"]}, ` +
      `CPU (${availableParallelism()} cores; torch on 1 thread).`,
    "",
    "## By method (mean over rules)",
    "",
    summaryTable(summary),
    "",
    `![efficacy vs collateral](${svgName})`,
    "",
    "## By rule",
    "",
    ruleTable(all),
    "",
    "## What is measured",
    "",
    "- **Efficacy**: of the pixels the segmenter labels as the rule's part on held-out images (before the edit; " +
      "images with at least 12 such pixels), the share labelled as the target afterwards: the copied part for paste " +
      "rules (replace, add), any other class for erase rules (remove). \"roof\" = building pixels with sky or cloud " +
      "within 3 px above.",
    "- **Collateral**: mean |Δimage| per pixel and channel (images in [-1, 1]) over every held-out image, outside the " +
      "part grown by 2 px; and the share of those pixels whose segmenter label changed.",
    "- **Time per edit**: this engine and full-rank LS: median wall time of the solve (forward passes for the rule's " +
      "seeds included; full-rank adds its dual solve); original Adam: its optimiser loop alone (torch, 1 thread, D and " +
      "goal from the engine); fine-tune all: its Adam loop alone (torch, 1 thread).",
    "- **Methods**: ours = closed form (L2) or IRLS (L1) for Λ in W1 = W0 + ΛD, rank 1 or 3, the engine's default ridge " +
      "(and rank 1 L2 at ridge 0.01, a weaker damping); " +
      "full-rank LS = the unconstrained single-layer least squares on the same goal and ridge; original Adam = " +
      "bench/original_insert.py (Adam on the layer, L1 on the zero-padded goal crop, projection onto D every 10 steps); " +
      `fine-tune all = Adam over every generator weight, L1 inside the pasted box of the RGB copy-paste target image ` +
      `(erase rules: the image the erased goal renders to, over the part's box), ${opts["finetune-steps"]} steps, ` +
      "at lr 1e-4 and 1e-3 (one image pins down little, so the rate sets the trade-off between fit and collateral).",
    ...(failed.length > 0 ? ["", "## Not measured", "", ...failed.map((f) => `- ${f}`)] : []),
    "",
    `Rules: ${drawn.map((s) => `${s.name} (${s.edit})`).join(", ")}.`,
    "",
  ].join("\n");
  await writeFile(join(opts.out, "report.md"), report);
  write(`\n${summaryTable(summary)}\n\nwrote ${relative(REPO, opts.out)}/report.md, results.json, ${svgName}\n`);
}
