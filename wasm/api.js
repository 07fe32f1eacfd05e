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

/** Estimates one scenario: `request` is a request object (or its JSON text). */
Module['estimate'] = function estimate(request) {
  let text = request;
  if (typeof request !== 'string') {
    try {
      text = JSON.stringify(request);
    } catch (error) {
      throw new EstimateError('request', 'request: cannot be written as JSON (' + error.message + ')');
    }
    if (text === undefined) throw new EstimateError('request', 'request: must be a JSON object');
  }
  const envelope = JSON.parse(Module['_estimateJson'](text));
  if (!envelope.ok) throw new EstimateError(envelope.error.field, envelope.error.message);
  return envelope.result;
};

/** The core's version, e.g. "0.1.0". */
Module['version'] = function version() {
  return Module['_version']();
};
