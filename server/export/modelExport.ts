/**
 * GET /api/sessions/:id/export.onnx: the session's edited generator as one
 * ONNX file that takes only `z`. It is `generator.onnx` with every
 * rewritable weight input frozen into an initializer holding the weight
 * with the session's enabled rules applied.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ModelExporter } from "../http/api";
import type { ModelRegistry } from "../models";
import type { ArtifactStore } from "../store/artifactStore";
import type { SessionRecord, SessionStore } from "../store/sessionStore";
import {
  composeModelWeights,
  loadDeltas,
  ruleSetHash,
  sessionRuleSet,
  storedRuleSet,
} from "../engine/ruleSet";
import { type FrozenWeight, freezeWeightInputs } from "./onnxWeights";

export class ModelExportService implements ModelExporter {
  constructor(
    private readonly models: ModelRegistry,
    private readonly store: SessionStore,
    private readonly artifacts: ArtifactStore,
  ) {}

  async onnx(
    session: SessionRecord,
    rulesHash: string | null,
  ): Promise<{ bytes: Uint8Array; rulesHash: string }> {
    const entries =
      rulesHash === null
        ? sessionRuleSet(this.store, this.artifacts, session.id)
        : storedRuleSet(this.artifacts, session.model, rulesHash);
    const model = await this.models.model(session.model);
    const edited = composeModelWeights(model, loadDeltas(this.artifacts, entries));
    const frozen: Record<string, FrozenWeight> = {};
    for (const layer of model.layers) {
      frozen[layer.weightInput] = {
        data: edited[layer.name] ?? model.originalWeight(layer.name),
        shape: layer.weight,
      };
    }
    const graph = await readFile(path.join(model.directory, model.manifest.generator));
    return {
      bytes: freezeWeightInputs(graph, frozen),
      rulesHash: rulesHash ?? ruleSetHash(session.model, entries),
    };
  }
}
