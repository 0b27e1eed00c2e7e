/**
 * Copies the onnxruntime-web files the browser preview loads into public/ort/,
 * so the app serves them itself (never from a CDN). Run before `next build`
 * and `next dev` (npm's prebuild / predev hooks). Only the single-threaded
 * WASM backend is used: the ESM API bundle, its Emscripten loader and binary.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules", "onnxruntime-web", "dist");
const target = join(root, "public", "ort");
const files = [
  "ort.wasm.min.mjs",
  "ort-wasm-simd-threaded.mjs",
  "ort-wasm-simd-threaded.wasm",
];

mkdirSync(target, { recursive: true });
for (const file of files) copyFileSync(join(source, file), join(target, file));
process.stdout.write(`copied ${files.length} onnxruntime-web files to public/ort/\n`);
