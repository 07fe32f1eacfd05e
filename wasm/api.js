// Linked with --pre-js: the JavaScript face of the module. Requests cross the boundary as
// JSON text, one crossing per estimate; a failed estimate throws an EstimateError whose
// `field` names the request field at fault (e.g. "parallelism.tensor_parallel_size").

class EstimateError extends Error {
  constructor(field, message) {
    super(message);
    this.name = 'EstimateError';
    this.field = field;
  }
}

Module['EstimateError'] = EstimateError;

// One crossing: JSON text in, the envelope {ok, result | error} out.
function callCore(raw, payload) {
  let text = payload;
  if (typeof payload !== 'string') {
    try {
      text = JSON.stringify(payload);
    } catch (error) {
      throw new EstimateError('request', 'request: cannot be written as JSON (' + error.message + ')');
    }
    if (text === undefined) throw new EstimateError('request', 'request: must be a JSON object');
  }
  // A lone surrogate cannot become UTF-8: the conversion to the wasm heap would mangle the
  // characters around it. (JSON.stringify escapes them, so objects reach the parser intact.)
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (lone) {
    throw new EstimateError('request', 'request: not valid Unicode text (a lone surrogate at character ' + lone.index + ')');
  }
  const envelope = JSON.parse(Module[raw](text));
  if (!envelope.ok) throw new EstimateError(envelope.error.field, envelope.error.message);
  return envelope.result;
}

/** Estimates one scenario: `request` is a request object (or its JSON text). */
Module['estimate'] = function estimate(request) {
  return callCore('_estimateJson', request);
};

/**
 * The breakdown at each of `values` of one integer `field` (e.g. "workload.sequence_length"),
 * one array per component: { field, values, breakdown: { total: [...], ... } }.
 */
Module['sweep'] = function sweep(request, field, values) {
  return callCore('_sweepJson', { request: request, field: field, values: values });
};

/**
 * The largest workload value (batch, context) or smallest parallel size that fits
 * request.framework_config.gpu_memory_gib: { field, value, total_gib, usable_gib, step_past }.
 */
Module['solve'] = function solve(request, field, options) {
  const query = { request: request, field: field };
  if (options && options.max !== undefined) query.max = options.max;
  return callCore('_solveJson', query);
};

/** The request schema: every field with its kind, bounds, default, engines and modes, and the GPU catalogue. */
Module['schema'] = function schema() {
  const envelope = JSON.parse(Module['_schemaJson']());
  if (!envelope.ok) throw new EstimateError(envelope.error.field, envelope.error.message);
  return envelope.result;
};

/** The core's version, e.g. "0.1.0". */
Module['version'] = function version() {
  return Module['_version']();
};
