// The module's contract through its JS API (wasm/index.mjs), under node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { BREAKDOWN_KEYS, badRequests, corpusConfig, specExampleRequest, specVllmExampleRequest } from '../support/scenarios.mjs';

const calc = await createCalculator();

test('the spec example gives the spec breakdown keys, an exact parameter count and warnings', () => {
  const result = calc.estimate(specExampleRequest());
  assert.deepEqual(Object.keys(result.breakdown), BREAKDOWN_KEYS);
  assert.equal(result.model.architecture, 'LlamaForCausalLM');
  assert.equal(result.model.total_parameters, 6738415616);
  assert.equal(result.estimator, 'TransformersMemoryEstimator');
  assert.ok(Array.isArray(result.warnings));
  // TP 4: 8 KV heads of 128 x 2 bytes x 32 layers x 2 (K, V) = 131072 bytes per token, 32 x 2048 tokens.
  assert.equal(result.breakdown.kv_cache, 8);
  const sum = BREAKDOWN_KEYS.slice(0, -1).reduce((total, key) => total + result.breakdown[key], 0);
  assert.ok(Math.abs(sum - result.breakdown.total) < 1e-9);
});

test('the spec vLLM variant applies its graph parameters, and says what vLLM does not read', () => {
  const result = calc.estimate(specVllmExampleRequest());
  assert.equal(result.estimator, 'vLLMMemoryEstimator');
  // No GPU: what vLLM holds on a GPU whose KV cache holds all 256 sequences of 4096 tokens
  // (x 131072 bytes), and the GPU memory it needs for that and to start.
  assert.equal(result.breakdown.kv_cache, 128);
  assert.equal(result.kv_cache_demand_gib, 128);
  assert.equal(result.verdict.status, 'no_gpu');
  assert.ok(result.requirements.to_start_gib < result.requirements.all_sequences_gib);
  const weights = result.breakdown.model_weights;
  // framework_config overrides the parameter: ratio 0.15, scaling 0.03 over sizes 1..16.
  assert.ok(Math.abs(result.breakdown.cuda_graphs - weights * 0.15 * (5 + 31 * 0.03)) < 1e-9);
  // vLLM sizes its pool to its budget: the spec's margin does not stack on it, and the example's
  // transformers workload is not vLLM's. Each is named.
  assert.equal(result.breakdown.safety_margin, 0);
  for (const field of ['params.memory_safety_margin_factor', 'params.activation_recomputation_factor',
                       'workload.batch_size', 'workload.sequence_length']) {
    assert.ok(result.warnings.some((w) => w.startsWith(`${field} is ignored`)), field);
  }
});

test('a request can be JSON text as well as an object', () => {
  const request = specExampleRequest();
  assert.deepEqual(calc.estimate(JSON.stringify(request)), calc.estimate(request));
});

for (const bad of badRequests()) {
  test(`${bad.name}: an EstimateError naming the field, and the next request works`, () => {
    assert.throws(() => calc.estimate(bad.request), (error) => {
      assert.ok(error instanceof calc.EstimateError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'EstimateError');
      assert.equal(error.field, bad.field);
      assert.equal(error.message, bad.message);
      return true;
    });
    assert.equal(calc.estimate(specExampleRequest()).model.total_parameters, 6738415616);
  });
}

test('malformed JSON text names the request and the position', () => {
  assert.throws(() => calc.estimate('{"config": {'), (error) => {
    assert.equal(error.field, 'request');
    assert.match(error.message, /^request: not valid JSON \(parse error at line 1, column 13/);
    return true;
  });
});

test('unknown fields are errors, not silently ignored', () => {
  assert.throws(() => calc.estimate({ ...specExampleRequest(), parallelism: { tensor_paralel_size: 2 } }),
    { field: 'parallelism.tensor_paralel_size' });
  assert.throws(() => calc.estimate({ ...specExampleRequest(), frameworks: 'vllm' }), { field: 'frameworks' });
});

test('values JSON cannot carry are refused, not turned into numbers', () => {
  assert.throws(() => calc.estimate({ config: corpusConfig('gpt2.json'), workload: { batch_size: NaN } }),
    { field: 'workload.batch_size', message: 'workload.batch_size: must be a positive integer, got null' });
  assert.throws(() => calc.estimate(undefined), { field: 'request' });
  const cyclic = { config: {} };
  cyclic.config.self = cyclic;
  assert.throws(() => calc.estimate(cyclic), { field: 'request' });
});

test('the instance survives a burst of bad input', () => {
  const good = calc.estimate(specExampleRequest());
  for (let i = 0; i < 200; i++) {
    assert.throws(() => calc.estimate(i % 2 ? '{' : { config: { hidden_size: -i } }));
  }
  assert.deepEqual(calc.estimate(specExampleRequest()), good);
});

test('one module instance serves every createCalculator()', async () => {
  const again = await createCalculator();
  assert.equal(again.version(), calc.version());
  assert.match(calc.version(), /^\d+\.\d+\.\d+$/);
});

test('sweep: one column per component, equal to single estimates', () => {
  const request = { ...specExampleRequest(), framework: 'vllm' };
  const values = [512, 2048, 8192];
  const sweep = calc.sweep(request, 'workload.max_model_len', values);
  assert.deepEqual(sweep.values, values);
  values.forEach((value, i) => {
    const single = calc.estimate({ ...request, workload: { ...request.workload, max_model_len: value } });
    for (const key of BREAKDOWN_KEYS) assert.equal(sweep.breakdown[key][i], single.breakdown[key], key);
  });
  assert.throws(() => calc.sweep(request, 'workload.max_model_len', [1, -1]), { name: 'EstimateError', field: 'values[1]' });
});

test('solve: the engine runs at the answer, not one step past it', () => {
  const request = { ...specExampleRequest(), framework: 'vllm', framework_config: { gpu_memory_gib: 79.19 } };
  const answer = calc.solve(request, 'workload.max_num_seqs');
  const at = (n) => calc.estimate({ ...request, workload: { ...request.workload, max_num_seqs: n } });
  assert.equal(at(answer.value).verdict.ok, true);
  assert.equal(at(answer.value + 1).verdict.ok, false);
  assert.equal(answer.step_past.value, answer.value + 1);
  assert.equal(calc.solve(request, 'workload.max_num_seqs', { max: 3 }).value, 3);
  assert.throws(() => calc.solve(specExampleRequest(), 'workload.batch_size'), { field: 'framework_config.gpu_memory_gib' });
});

test('text crosses the boundary as UTF-8 both ways: non-ASCII characters come back as sent', () => {
  const odd = 'vllm\u2014\u00fc\u{1F680}';  // an em dash, a two-byte and a four-byte character
  assert.throws(() => calc.estimate({ ...specExampleRequest(), framework: odd }),
    { field: 'framework', message: `framework: must be one of "transformers", "vllm", "deepspeed", "llama.cpp", "sglang", got "${odd}"` });
  // Large requests too (the config's text is most of a request), and the next call is unaffected.
  const big = { ...specExampleRequest(), config: { ...specExampleRequest().config, note: '\u00e9'.repeat(200000) } };
  assert.equal(calc.estimate(big).model.total_parameters, 6738415616);
  assert.equal(calc.estimate(specExampleRequest()).breakdown.kv_cache, 8);
});

test('a lone surrogate in request text is refused as such, not mangled', () => {
  const text = JSON.stringify({ ...specExampleRequest(), framework: 'vllm' }).replace('"vllm"', '"vllm\uD800"');
  assert.throws(() => calc.estimate(text), {
    field: 'request', message: /^request: not valid Unicode text \(a lone surrogate at character \d+\)$/ });
  // As an object, JSON.stringify escapes it and the parser says what is wrong.
  assert.throws(() => calc.estimate({ ...specExampleRequest(), framework: 'vllm\uD800' }), { field: 'request' });
});

test('the JS doors check text against the schema\'s limits (the binding reads them apart from the schema)', () => {
  const { limits } = calc.schema();
  assert.deepEqual(Object.keys(limits), ['request_bytes', 'nesting_depth', 'json_values']);
  assert.doesNotThrow(() => calc.checkJsonText('['.repeat(limits.nesting_depth) + ']'.repeat(limits.nesting_depth), 'config'));
  assert.throws(() => calc.checkJsonText('['.repeat(limits.nesting_depth + 1), 'config'),
    { name: 'EstimateError', field: 'config', message: `config: nested deeper than ${limits.nesting_depth} levels` });
  assert.throws(() => calc.checkJsonText('1,'.repeat(limits.json_values + 1), 'config'), { message: `config: holds more than ${limits.json_values} values` });
  assert.throws(() => calc.estimate(' '.repeat(limits.request_bytes + 1)),
    { field: 'request', message: `request: too large: at least ${limits.request_bytes + 1} bytes, at most ${limits.request_bytes} (4 MiB)` });
});
