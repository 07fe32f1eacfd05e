// Fuzzing the JavaScript doors, deterministically (a fixed seed, a fixed number of cases):
// hostile mutations of valid requests through estimate, sweep and solve on every field with
// every kind of `max`, and hostile command lines through the CLI's flag parser. Property: each
// call answers or throws an EstimateError (UsageError for the CLI) naming what is wrong; the
// next call after any error gives the same answer as before it. (The page's link parser is
// fuzzed in Chromium: tests/web/security.test.mjs.)
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requestFromArgs, UsageError } from '../../wasm/cli_args.mjs';
import { createCalculator } from '../../wasm/index.mjs';
import { corpusConfig } from '../support/scenarios.mjs';

const calc = await createCalculator();
const schema = calc.schema();
const config = corpusConfig('llama-3.1-8b.json');
const valid = { config, framework_config: { gpu_memory_gib: 80 } };
const baseline = calc.estimate(valid);

// A small deterministic generator (xorshift32).
function generator(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state;
  };
  const below = (n) => next() % n;
  return { below, pick: (items) => items[below(items.length)], coin: () => below(2) === 0 };
}

const VARIABLE_FIELDS = ['workload.batch_size', 'workload.sequence_length', 'workload.max_num_seqs', 'workload.max_model_len',
  'parallelism.tensor_parallel_size', 'parallelism.pipeline_parallel_size', 'parallelism.data_parallel_size',
  'parallelism.expert_parallel_size', 'framework_config.gpu_memory_utilization'];

function hostileValue(r, depth = 0) {
  const kinds = [
    () => r.pick([0, -1, 1, 2, 2 ** 20, 2 ** 20 + 1, 2 ** 40, 2 ** 53, 2 ** 63, 1e308, -1e308, 0.5, 1e-300, Number.MAX_SAFE_INTEGER]),
    () => r.pick(['', '0x40', '1e3', ' 2', '2.0', 'NaN', 'Infinity', '\u0000', '\u202e', '\ud83d\ude00', 'auto', 'fp8', 'H100', 'x'.repeat(r.below(5000))]),
    () => r.pick([true, false, null]),
    () => (depth < 3 ? Array.from({ length: r.below(4) }, () => hostileValue(r, depth + 1)) : []),
    () => (depth < 3 ? { [r.pick(['__proto__', 'constructor', 'max', 'a'])]: hostileValue(r, depth + 1) } : {}),
    () => { let v = 1; for (let i = 0, n = r.below(200); i < n; i++) v = [v]; return v; },
  ];
  return r.pick(kinds)();
}

/** A valid request with up to two fields (schema fields or config keys) set to hostile values. */
function hostileRequest(r) {
  const request = structuredClone(valid);
  request.framework = r.pick(['transformers', 'vllm', 'deepspeed']);
  for (let i = 0, n = r.below(3); i < n; i++) {  // none at times: the engine must be reached too
    if (r.coin()) {
      const [section, key] = r.pick(schema.fields).path.split('.');
      if (key === undefined) request[section] = hostileValue(r);
      else (request[section] ??= {})[key] = hostileValue(r);
    } else {
      request.config = { ...request.config, [r.pick(['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads',
        'vocab_size', 'torch_dtype', 'quantization_config', 'rope_scaling', 'max_position_embeddings', 'text_config',
        'vision_config', 'num_local_experts', 'layer_types', 'sliding_window', 'mlp_only_layers'])]: hostileValue(r) };
    }
  }
  return request;
}

/** Runs one call; true when it answered. */
function answersOrNames(call, what) {
  try {
    call();
    return true;
  } catch (error) {
    assert.equal(error.name, 'EstimateError', `${what}: ${error.stack}`);
    assert.equal(typeof error.field, 'string', what);
    assert.ok(error.message.length > 0, what);
    assert.deepEqual(calc.estimate(valid), baseline, `the call after ${what}`);
    return false;
  }
}

test('5,000 hostile requests through estimate, sweep and solve on every field: an answer or a named error, and the next call unchanged', (t) => {
  const r = generator(21);
  let answered = 0;
  for (let i = 0; i < 5000; i++) {
    const request = hostileRequest(r);
    const field = r.pick(VARIABLE_FIELDS);
    const what = `case ${i}: ${JSON.stringify(request).slice(0, 300)} ${field}`;
    answered += answersOrNames(() => calc.estimate(request), what);
    answered += answersOrNames(() => calc.sweep(request, field, r.coin() ? [1, 2, r.pick([4, 2 ** 20, 2 ** 40])] : [1, hostileValue(r)]), what);
    const options = r.pick([undefined, { max: hostileValue(r) }, { max: r.pick([1, 64, 2 ** 20, 2 ** 20 + 1, 2 ** 40]) }, hostileValue(r)]);
    answered += answersOrNames(() => calc.solve(request, field, options), what);
  }
  t.diagnostic(`${answered} of 15,000 calls answered, the others refused by name`);
  assert.ok(answered > 1500, `${answered} answered: the cases must reach the engine, not only its doors`);
});

test('5,000 hostile command lines through the flag parser: a request or a usage error, never anything else', (t) => {
  const r = generator(2021);
  let built = 0;
  const dir = mkdtempSync(join(tmpdir(), 'llm-mem-fuzz-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const flags = [...schema.fields.flatMap((field) => field.flags), '--param', '--format', '--request', '--config', '--nope', '-x', '--'];
  const values = () => String(r.pick([r.below(100), '', ',', ',,,', '1,,2', '0x2', '2.0', '-1', 'true', 'no', 'a=b', '=', 'memory_safety_margin_factor=0.1',
    'fragmentation_overhead_factor=0x1', 'table', 'json', '\u001b[2J', 'x'.repeat(r.below(3000)), configPath, '/nonexistent']));
  for (let i = 0; i < 5000; i++) {
    const args = ['--config', configPath];
    for (let j = 0, n = r.below(6); j < n; j++) {
      const flag = r.pick(flags);
      if (r.coin()) args.push(`${flag}=${values()}`);
      else args.push(flag, ...(r.coin() ? [values()] : []));
    }
    const what = `case ${i}: ${JSON.stringify(args).slice(0, 300)}`;
    let parsed;
    try {
      parsed = requestFromArgs(args, schema, calc);
    } catch (error) {
      assert.ok(error instanceof UsageError || error.name === 'EstimateError', `${what}: ${error.stack}`);
      assert.ok(error.message.length > 0, what);
      continue;
    }
    assert.ok(['json', 'table'].includes(parsed.format), what);
    built++;
    answersOrNames(() => calc.estimate(parsed.request), what);
  }
  t.diagnostic(`${built} of 5,000 command lines built a request`);
  assert.ok(built > 500, `${built} built: the cases must get past the usage checks`);
});
