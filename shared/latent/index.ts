export { latentBatch, latentForSeed } from "./latent";
export { Mt19937 } from "./mt19937";
export { InvalidSeedError, RandomState } from "./randomState";
export { formatSeedList, parseSeedList, SeedListError } from "./seedList";
