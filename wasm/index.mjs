// The calculator's JavaScript API for node and bundlers:
//   const calc = await createCalculator();
//   const { breakdown, model, warnings } = calc.estimate(request);
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const createLlmMem = require('./dist/llm-mem.cjs');

let modulePromise;

/** Loads the WebAssembly module once and returns the calculator. */
export async function createCalculator() {
  modulePromise ??= createLlmMem();
  const module = await modulePromise;
  return Object.freeze({
    /** Estimates one request; throws an EstimateError (with `.field`) on bad input. */
    estimate: (request) => module.estimate(request),
    /** The breakdown at each value of one integer field, the config parsed once. */
    sweep: (request, field, values) => module.sweep(request, field, values),
    /** The largest batch/context or smallest parallel size that fits the GPU. */
    solve: (request, field, options) => module.solve(request, field, options),
    /** The request's fields (path, kind, bounds, default, engines, modes) and the GPU catalogue. */
    schema: () => module.schema(),
    version: () => module.version(),
    EstimateError: module.EstimateError,
  });
}
