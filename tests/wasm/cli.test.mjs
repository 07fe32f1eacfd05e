// The llm-mem command line: same module, same numbers, exit 2 and a one-line error on bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { badRequests, corpusConfig, repoRoot, specExampleRequest, specVllmExampleRequest } from '../support/scenarios.mjs';

const cli = join(repoRoot, 'wasm', 'cli.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'llm-mem-cli-'));
const calc = await createCalculator();

function run(args, input) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name, content) {
  const path = join(scratch, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('--request FILE prints the same response as the JS API', () => {
  for (const request of [specExampleRequest(), specVllmExampleRequest()]) {
    const out = run(['estimate', '--request', file('request.json', request)]);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), calc.estimate(request));
  }
});

test('--request - reads stdin', () => {
  const out = run(['estimate', '--request', '-'], JSON.stringify(specExampleRequest()));
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), calc.estimate(specExampleRequest()));
});

test('the shorthand flags build the same request', () => {
  const config = file('llama2.json', corpusConfig('llama-2-7b-hf.json'));
  const out = run(['estimate', '--config', config, '--framework', 'vllm', '--batch', '32', '--seq', '2048',
    '--max-num-seqs', '256', '--max-model-len', '4096', '--tp', '4', '--pp', '1', '--dp', '2',
    '--cudagraph-sizes', '1,2,4,8,16', '--param', 'memory_safety_margin_factor=0.05',
    '--param', 'activation_recomputation_factor=0.2', '--param', 'graph_memory_overhead_ratio=0.12',
    '--param', 'quantization_overhead_multiplier=1.2']);
  assert.equal(out.status, 0, out.stderr);
  const expected = specVllmExampleRequest();
  delete expected.framework_config.graph_memory_overhead_ratio;
  delete expected.framework_config.graph_batch_scaling_factor;
  assert.deepEqual(JSON.parse(out.stdout), calc.estimate(expected));
});

test('--format table prints a readable breakdown', () => {
  const out = run(['estimate', '--config', file('gpt2.json', corpusConfig('gpt2.json')), '--format', 'table']);
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /^GPT2LMHeadModel: 124,439,808 parameters/);
  assert.match(out.stdout, /^total\s+\d+\.\d\d GiB$/m);
});

test('--weights-as: the what-if in llama.cpp\'s spelling, the same answer as the request field', () => {
  const config = corpusConfig('llama-3.1-8b.json');
  const path = file('llama.json', config);
  const out = run(['estimate', '--config', path, '--framework', 'vllm', '--weights-as', 'Q4_K_M']);
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), calc.estimate({ config, framework: 'vllm', checkpoint: { weights_as: 'q4_k_m' } }));
  const table = run(['estimate', '--config', path, '--weights-as', 'awq', '--format', 'table']);
  assert.match(table.stdout, /^weights as awq \(what if\): 5\.73 GB for the whole model$/m);
  const bad = run(['estimate', '--config', path, '--weights-as', 'q4_k_xl']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^llm-mem: checkpoint\.weights_as: must be one of "stored", .*"iq4_xs", got "q4_k_xl"\n$/);
});

for (const bad of badRequests()) {
  test(`${bad.name}: exit 2, one line naming the field on stderr`, () => {
    const out = run(['estimate', '--request', file('bad.json', bad.request)]);
    assert.equal(out.status, 2);
    assert.equal(out.stdout, '');
    assert.equal(out.stderr, `llm-mem: ${bad.message}\n`);
  });
}

test('the spec\'s invalid-parameter example through --param', () => {
  const config = file('llama2.json', corpusConfig('llama-2-7b-hf.json'));
  const out = run(['estimate', '--config', config, '--param', 'activation_recomputation_factor=1.5']);
  assert.equal(out.status, 2);
  assert.equal(out.stderr, 'llm-mem: activation_recomputation_factor=1.5 not in valid range [0.0, 1.0]\n');
});

test('malformed JSON, in a request and in a config, exits 2 naming it', () => {
  let out = run(['estimate', '--request', file('broken.json', '{"config": {')]);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /^llm-mem: request: not valid JSON \(parse error at line 1/);
  out = run(['estimate', '--config', file('broken-config.json', '{"hidden_size": 4096,')]);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /^llm-mem: config: not valid JSON/);
  assert.equal(out.stderr.trim().split('\n').length, 1);
});

test('a string where a number belongs on the command line names the field', () => {
  const config = file('llama2.json', corpusConfig('llama-2-7b-hf.json'));
  const out = run(['estimate', '--config', config, '--tp', 'four']);
  assert.equal(out.status, 2);
  assert.equal(out.stderr, 'llm-mem: parallelism.tensor_parallel_size: must be a positive integer, got "four"\n');
});

test('usage mistakes exit 2 and point at --help', () => {
  for (const args of [['estimate'], ['estimate', '--tpp', '2'], ['frobnicate'], ['estimate', '--request']]) {
    const out = run(args);
    assert.equal(out.status, 2, args.join(' '));
    assert.match(out.stderr, /see llm-mem --help/);
  }
  const missing = run(['estimate', '--request', join(scratch, 'no-such-file.json')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /ENOENT/);
});

test('--help and version exit 0', () => {
  assert.match(run(['--help']).stdout, /llm-mem estimate --request FILE/);
  assert.equal(run(['version']).stdout.trim(), calc.version());
});
