/**
 * Scene parts for the evaluation: the CLI's demo-rules helpers, shared.
 */
export {
  SceneParts,
  segmentImages,
  segmentSeeds,
  type Part,
  type Segmented,
} from "../models/cli/commands/sceneParts";
