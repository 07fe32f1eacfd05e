// The calculator's JavaScript API for node and bundlers:
//   const calc = await createCalculator();
//   const { breakdown, model, warnings } = calc.estimate(request);
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const createLlmMem = require('./dist/llm-mem.cjs');

let shared;  // the instance calculators share unless they ask for their own

/**
 * Loads the WebAssembly module (once, shared, unless `fresh`) and returns the calculator.
 * Bad input throws an EstimateError naming the field and leaves the instance as it was. An
 * internal failure (a trap) could leave its memory inconsistent, so the calculator drops that
 * instance and starts another: the failing call and any made while it starts throw an
 * EstimateError on "engine"; the calls after it run on the new instance.
 */
export async function createCalculator({ fresh = false } = {}) {
  const loading = fresh ? createLlmMem() : (shared ??= createLlmMem());
  let module = await loading;
  let restarting = null;
  const { EstimateError } = module;  // one class for this calculator, whichever instance answers

  const call = (method, ...args) => {
    if (restarting) throw new EstimateError('engine', 'engine: restarting after an internal failure; call again shortly');
    try {
      return module[method](...args);
    } catch (error) {
      if (error instanceof EstimateError) throw error;
      if (error && error.name === 'EstimateError') throw new EstimateError(error.field, error.message);
      if (shared === loading) shared = undefined;  // no later calculator gets the failed instance
      restarting = createLlmMem().then((next) => { module = next; restarting = null; });
      throw new EstimateError('engine', `engine: internal failure (${error && error.message}); it restarts, call again`);
    }
  };
  return Object.freeze({
    /** Estimates one request; throws an EstimateError (with `.field`) on bad input. */
    estimate: (request) => call('estimate', request),
    /** The breakdown at each value of one integer field, the config parsed once. */
    sweep: (request, field, values) => call('sweep', request, field, values),
    /** The largest batch/context or smallest parallel size that fits the GPU. */
    solve: (request, field, options) => call('solve', request, field, options),
    /** The request's fields (path, kind, bounds, default, engines, modes), the GPU catalogue and the input limits. */
    schema: () => call('schema'),
    version: () => call('version'),
    /** The core's bounds on JSON text, checked before JSON.parse of untrusted text; throws an EstimateError on `what`. */
    checkJsonText: (text, what) => call('checkJsonText', text, what),
    /** A checkpoint's tensors from its safetensors headers: [{ bytes, fileBytes? }] (each file's first bytes). */
    readSafetensorsHeaders: (files, options) => call('readSafetensorsHeaders', files, options),
    /** The shard files a model.safetensors.index.json names, each once; throws an EstimateError. */
    safetensorsShards: (indexText, what) => call('safetensorsShards', indexText, what),
    /** The header length a file's first 8 bytes give, to range-request the rest. */
    safetensorsHeaderLength: (bytes, fileBytes) => call('safetensorsHeaderLength', bytes, fileBytes),
    /** What a GGUF header says, from a prefix of the file: { complete: false, needs } when it is too short. */
    readGgufHeader: (bytes, fileBytes) => call('readGgufHeader', bytes, fileBytes),
    /** A GGUF file's header through `read(start, end)` (resolving to those bytes): as many reads as it takes, no tensor data. */
    readGguf: async (read, fileBytes) => {
      try {
        return await module.readGguf(read, fileBytes);
      } catch (error) {
        if (error && error.name === 'EstimateError' && !(error instanceof EstimateError)) throw new EstimateError(error.field, error.message);
        throw error;
      }
    },
    EstimateError,
  });
}
