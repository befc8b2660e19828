export { type FakeRepo, generatePopulation, type PopulationOptions } from './population.js';
export { parseSearch, SearchEngine } from './search-engine.js';
/** Alias used by the end-to-end suites: `start(options) → { url, stop, stats, … }`. */
export {
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakeGitHubStats,
  type FaultOptions,
  startFakeGitHub,
  startFakeGitHub as start,
} from './server.js';
