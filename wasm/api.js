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

// The boundary: UTF-8 bytes into the module's request buffer, a view of its response out
// (bindings.cpp has the C functions). The view is decoded before any other call can move
// or reuse it; HEAPU8 is read at each call, since a grown memory replaces it.
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Calls one of the module's answering functions (with `argument`, where it takes one); returns its response as text. */
function responseOf(answerFunction, argument) {
  const size = Module[answerFunction](argument);
  const data = Module['_llmmem_response_data']();
  return utf8Decoder.decode(HEAPU8.subarray(data, data + size));
}

// The request's size is checked at this door, before it is encoded or enters the heap: a
// 1 GB string must cost nothing, not grow the module (llmmem/limits.hpp has the bound; the
// schema reports it).
let inputLimits;
const limits = () => (inputLimits ??= JSON.parse(responseOf('_llmmem_limits')));

function crossBoundary(answerFunction, text) {
  const requestLimit = limits().request_bytes;
  // UTF-8 has at least one byte per UTF-16 code unit: a longer string is too large already.
  if (text.length > requestLimit) {
    throw new EstimateError('request', `request: too large: at least ${text.length} bytes, at most ${requestLimit} (4 MiB)`);
  }
  const bytes = utf8Encoder.encode(text);
  if (bytes.length > requestLimit) {
    throw new EstimateError('request', `request: too large: ${bytes.length} bytes, at most ${requestLimit} (4 MiB)`);
  }
  enterRequest(bytes);
  return responseOf(answerFunction);
}

/** Copies `bytes` into the module's request buffer. */
function enterRequest(bytes) {
  HEAPU8.set(bytes, Module['_llmmem_request_buffer'](bytes.length));
}

// The boundary function itself, JSON text in and out (the parity tests and the bench call it).
Module['_estimateJson'] = function _estimateJson(text) { return crossBoundary('_llmmem_estimate', text); };

// The envelope's result, or its error thrown.
function unwrap(envelopeText) {
  const envelope = JSON.parse(envelopeText);
  if (!envelope.ok) throw new EstimateError(envelope.error.field, envelope.error.message);
  return envelope.result;
}

// One crossing: JSON text in, the envelope {ok, result | error} out.
function callCore(answerFunction, payload) {
  let text = payload;
  if (typeof payload !== 'string') {
    try {
      text = JSON.stringify(payload);
    } catch (error) {
      throw new EstimateError('request', 'request: cannot be written as JSON (' + error.message + ')');
    }
    if (text === undefined) throw new EstimateError('request', 'request: must be a JSON object');
  }
  // A lone surrogate cannot become UTF-8: the encoder would put U+FFFD in its place and the
  // request would not be what was sent. (JSON.stringify escapes them, so objects reach the parser intact.)
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (lone) {
    throw new EstimateError('request', 'request: not valid Unicode text (a lone surrogate at character ' + lone.index + ')');
  }
  return unwrap(crossBoundary(answerFunction, text));
}

/** Estimates one scenario: `request` is a request object (or its JSON text). */
Module['estimate'] = function estimate(request) {
  return callCore('_llmmem_estimate', request);
};

/**
 * The breakdown at each of `values` of one integer `field` (e.g. "workload.sequence_length"),
 * one array per component: { field, values, breakdown: { total: [...], ... } }.
 */
Module['sweep'] = function sweep(request, field, values) {
  return callCore('_llmmem_sweep', { request: request, field: field, values: values });
};

/**
 * Where the engine's verdict flips on the request's GPU: the largest workload value (batch,
 * context, max_num_seqs) or the smallest parallel size or gpu_memory_utilization that runs:
 * { field, value, needed_gib, limit_gib, step_past: { value, ok, needed_gib, limit_gib } }.
 */
Module['solve'] = function solve(request, field, options) {
  const query = { request: request, field: field };
  if (options !== undefined) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new EstimateError('options', 'options: must be an object such as { max: 64 }');
    }
    // A misspelt option would otherwise answer another question without a word.
    for (const key of Object.keys(options)) {
      if (key !== 'max') throw new EstimateError(`options.${key}`, `options.${key}: unknown option (known: max)`);
    }
    if (options.max !== undefined) query.max = options.max;
  }
  return callCore('_llmmem_solve', query);
};

/** The request schema: every field with its kind, bounds, default, engines and modes, and the GPU catalogue. */
Module['schema'] = function schema() {
  return unwrap(responseOf('_llmmem_schema'));
};

/**
 * The core's bounds on JSON text (size, nesting, values), checked before `JSON.parse` of
 * untrusted text (a config file, a paste): throws an EstimateError on `what` when one is passed.
 */
Module['checkJsonText'] = function checkJsonText(text, what) {
  const problem = jsonTextProblem(String(text), limits());
  if (problem) throw new EstimateError(what, `${what}: ${problem}`);
};

/** A fetched config's text, read no further than the limit; throws an EstimateError on `what` past it. */
Module['readResponseText'] = async function readResponseText(response, what) {
  const text = await readBoundedText(response, limits().request_bytes);
  if (text === null) throw new EstimateError(what, `${what}: larger than ${limits().request_bytes} bytes (4 MiB): not a config.json`);
  return text;
};

// safetensors files begin with an 8-byte little-endian length and that many bytes of JSON; the
// core checks the JSON (llmmem/checkpoint.hpp). safetensors itself refuses headers over 100 MB.
const SAFETENSORS_HEADER_LIMIT = 100000000;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The header's length from a file's first 8 bytes; throws on `what` if it cannot be one. */
function safetensorsHeaderLength(bytes, what, fileBytes) {
  if (!(bytes instanceof Uint8Array)) throw new EstimateError(what, `${what}: must be a Uint8Array of the file's first bytes`);
  if (bytes.length < 8) throw new EstimateError(what, `${what}: ${bytes.length} bytes: a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;  // exact below 2^53
  if (length > SAFETENSORS_HEADER_LIMIT) {
    throw new EstimateError(what, `${what}: a header of ${length} bytes: safetensors allows at most ${SAFETENSORS_HEADER_LIMIT}`);
  }
  if (fileBytes >= 0 && 8 + length > fileBytes) {
    throw new EstimateError(what, `${what}: a header of ${length} bytes runs past the end of the ${fileBytes}-byte file`);
  }
  return length;
}

/**
 * What safetensors headers say of a checkpoint's tensors: `files` is one entry per file,
 * { bytes: Uint8Array (at least its first 8 + header bytes), fileBytes?: the file's size }.
 * `options.numHiddenLayers`: the config's layers, so tensors of layers past them are grouped apart.
 * Returns { files, tensors, parameters, bytes, dtypes: [{ dtype, tensors, parameters, bytes }],
 * groups: [{ group, tensors, parameters, bytes }] } (the weights, then what a config's formula does not count).
 */
Module['readSafetensorsHeaders'] = function readSafetensorsHeaders(files, options) {
  if (!Array.isArray(files) || files.length === 0) throw new EstimateError('headers', 'headers: must be a non-empty array of files');
  const headers = [], sizes = [];
  files.forEach((file, i) => {
    const what = `headers[${i}]`;
    // (No ?. here: this emscripten's JS minifier does not know it.)
    const given = file !== null && typeof file === 'object' ? file : {};
    const fileBytes = Number.isSafeInteger(given.fileBytes) ? given.fileBytes : -1;
    const length = safetensorsHeaderLength(given.bytes, what, fileBytes);
    if (file.bytes.length < 8 + length) {
      throw new EstimateError(what, `${what}: a header of ${length} bytes runs past the ${file.bytes.length} bytes read`);
    }
    try {
      headers.push(strictUtf8.decode(file.bytes.subarray(8, 8 + length)));
    } catch {
      throw new EstimateError(what, `${what}: the header is not valid UTF-8`);
    }
    sizes.push(fileBytes);
  });
  const query = { headers, file_bytes: sizes };
  // The config's layer count: tensors of layers past it (an MTP layer) are grouped apart.
  if (options !== undefined && options !== null && options.numHiddenLayers !== undefined) query.num_hidden_layers = options.numHiddenLayers;
  return callCore('_llmmem_safetensors', query);
};

/**
 * The shard files a model.safetensors.index.json names: its weight_map's values, each once, in
 * its order, each a .safetensors file beside the index. Throws an EstimateError on `what`.
 */
Module['safetensorsShards'] = function safetensorsShards(indexText, what) {
  what = what || 'model.safetensors.index.json';
  const problem = jsonTextProblem(String(indexText), limits());
  if (problem) throw new EstimateError(what, `${what}: ${problem}`);
  let index;
  try {
    index = JSON.parse(indexText);
  } catch (error) {
    throw new EstimateError(what, `${what}: not valid JSON (${error.message})`);
  }
  const map = index !== null && typeof index === 'object' ? index.weight_map : undefined;
  const shards = map !== null && typeof map === 'object' ? [...new Set(Object.values(map))] : [];
  if (!shards.length || shards.some((name) => typeof name !== 'string' || !/^[\w.-]+\.safetensors$/.test(name))) {
    throw new EstimateError(what, `${what}: its weight_map must name .safetensors files beside it`);
  }
  return shards;
};

/** The header length a file's first 8 bytes give (to fetch the rest by range), after the same checks. */
Module['safetensorsHeaderLength'] = function (bytes, fileBytes = -1) {
  return safetensorsHeaderLength(bytes, 'header', fileBytes);
};

// GGUF headers are binary and end where their tensor infos do, which only reading them tells:
// the core reads a prefix and says how many bytes it needs next (llmmem/gguf_header.hpp), a
// count that never runs past the header. A header beyond this is no model file a browser should
// hold (Llama 3's, with its 128,256-token vocabulary, is 8 MB).
const GGUF_HEADER_LIMIT = 256 * 1024 * 1024;

/** The core's reading of a GGUF file's first `bytes` (all of it, or a prefix): { complete: false, needs } or the header. */
function ggufPrefix(bytes, fileBytes) {
  if (!(bytes instanceof Uint8Array)) throw new EstimateError('gguf', 'gguf: must be a Uint8Array of the file\'s first bytes');
  if (bytes.length > GGUF_HEADER_LIMIT) throw new EstimateError('gguf', `gguf: a header larger than ${GGUF_HEADER_LIMIT} bytes`);
  enterRequest(bytes);
  return unwrap(responseOf('_llmmem_gguf', fileBytes));
}

/** What a GGUF header says, from a prefix of the file: { complete: false, needs } when it is too short. */
Module['readGgufHeader'] = function readGgufHeader(bytes, fileBytes) {
  return ggufPrefix(bytes, Number.isSafeInteger(fileBytes) && fileBytes >= 0 ? fileBytes : -1);
};

/**
 * Reads a GGUF file's header through `read(start, end)`, which resolves to the file's bytes
 * [start, end) as a Uint8Array (a File's slice, an HTTP range): as many reads as the header
 * takes, never a byte of tensor data. Resolves to the header: { version, architecture,
 * file_type_name, header_bytes, tensors, parameters, bytes, types, parts: { input, output,
 * other, layers }, config (a config.json made from its metadata) }.
 */
Module['readGguf'] = async function readGguf(read, fileBytes) {
  const size = Number.isSafeInteger(fileBytes) && fileBytes >= 0 ? fileBytes : -1;
  let have = new Uint8Array(0);
  for (;;) {
    const header = ggufPrefix(have, size);
    if (header.complete) return header;
    const end = size >= 0 ? Math.min(header.needs, size) : header.needs;
    if (end <= have.length) throw new EstimateError('gguf', `gguf: the file ends at byte ${have.length}, inside its header`);
    if (end > GGUF_HEADER_LIMIT) throw new EstimateError('gguf', `gguf: a header larger than ${GGUF_HEADER_LIMIT} bytes`);
    const more = await read(have.length, end);
    if (!(more instanceof Uint8Array) || more.length !== end - have.length) {
      throw new EstimateError('gguf', `gguf: asked for bytes ${have.length} to ${end}, got ${more instanceof Uint8Array ? more.length : 'no'} bytes`);
    }
    const next = new Uint8Array(end);
    next.set(have);
    next.set(more, have.length);
    have = next;
  }
};

/** The core's version, e.g. "0.1.0". */
Module['version'] = function version() {
  return responseOf('_llmmem_version');
};
