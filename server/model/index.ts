export { ModelError, type ModelErrorCode } from "./errors";
export {
  EXECUTION_PROVIDER_ENV,
  executionProviderFromEnv,
  type ExecutionProvider,
  type ExecutionProviderChoice,
} from "./executionProvider";
export { modelFeatureSource } from "./featureSource";
export {
  GeneratorModel,
  type GeneratorOutput,
  type LayerWeights,
  type LoadOptions,
} from "./generatorModel";
export {
  encodePng,
  imageGrid,
  imageToRgba,
  writeGridPng,
  type GridOptions,
  type RgbaImage,
} from "./imagePng";
export { computeKeyStatistics, type KeyStatisticsOptions } from "./keyStatistics";
export {
  modelFingerprint,
  readLayerStats,
  statsFileName,
  writeLayerStats,
  type LayerStats,
} from "./layerStats";
export { readManifest, type LayerSpec, type Manifest, type StatsEntry } from "./manifest";
export { SecondMomentAccumulator } from "./secondMoment";
export { labelsFromLogits, Segmenter, type Segmentation } from "./segmenter";
export { ShapeError, shapeSize, sliceFirst, type Tensor } from "./tensor";
