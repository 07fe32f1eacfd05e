// Hardening, second round: each finding of the hostile-input review (issue 21) as a regression
// test at its door — the JS API, the CLI and `npm start`'s server. (The page's doors are in
// tests/web/security.test.mjs; the config-level refusals in tests/data/malformed/cases.json.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serve } from '../../scripts/serve.mjs';
import { createCalculator } from '../../wasm/index.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

const calc = await createCalculator();
const llama = corpusConfig('llama-2-7b-hf.json');
const cli = join(repoRoot, 'wasm', 'cli.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'llm-mem-hardening-'));
const LIMIT = calc.schema().limits.request_bytes;

function refused(call, field, message) {
  assert.throws(call, (error) => {
    assert.equal(error.name, 'EstimateError', error.stack);
    assert.equal(error.field, field);
    if (message instanceof RegExp) assert.match(error.message, message);
    else if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

/** The calculator answers the same as before a failure: nothing in it was left broken. */
const baseline = calc.estimate({ config: llama });
function stillWorks(calculator = calc) {
  assert.deepEqual(calculator.estimate({ config: llama }), baseline);
}

function run(args, input) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name, content) {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('#1 the JS API bounds a request before it enters the heap, and the engine recovers', () => {
  test('the schema reports the limits every door applies', () => {
    assert.deepEqual(calc.schema().limits, { request_bytes: 4194304, nesting_depth: 64, json_values: 250000 });
  });

  test('a string longer than the limit is refused before it is encoded ("at least"), the next call works', () => {
    const text = '{"config":{},"x":"' + '\u20ac'.repeat(LIMIT) + '"}';
    refused(() => calc.estimate(text), 'request', `request: too large: at least ${text.length} bytes, at most ${LIMIT} (4 MiB)`);
    stillWorks();
  });

  test('a string within the limit whose UTF-8 is not is refused once encoded, before it is copied in', () => {
    const text = '{"config":{},"x":"' + '\u20ac'.repeat(2 << 20) + '"}';  // 2 Mi characters, 6 MiB of UTF-8
    refused(() => calc.estimate(text), 'request', `request: too large: ${(2 << 20) * 3 + 20} bytes, at most ${LIMIT} (4 MiB)`);
    stillWorks();
  });

  test('an object whose JSON is too large is refused the same way, and so are sweeps and solves', () => {
    const big = { config: llama, padding: 'x'.repeat(LIMIT) };
    refused(() => calc.estimate(big), 'request', /^request: too large: at least \d+ bytes/);
    refused(() => calc.sweep(big, 'workload.batch_size', [1]), 'request', /^request: too large/);
    refused(() => calc.solve(big, 'workload.batch_size'), 'request', /^request: too large/);
    stillWorks();
  });

  test('after every kind of failure the next call succeeds', () => {
    const cyclic = {};
    cyclic.self = cyclic;
    let deep = 1;
    for (let i = 0; i < 100000; i++) deep = [deep];
    const failures = [
      () => calc.estimate('{"config": {'),
      () => calc.estimate('\ud800'),
      () => calc.estimate({ config: llama, big: 10n }),
      () => calc.estimate(cyclic),
      () => calc.estimate({ config: deep }),
      () => calc.estimate('['.repeat(LIMIT)),
      () => calc.estimate({ config: { ...llama, hidden_size: -1 } }),
      () => calc.sweep({ config: llama }, 'workload.batch_size', [1, 'x']),
      () => calc.solve({ config: llama }, 'workload.batch_size'),
      () => calc.solve({ config: llama }, 'nope'),
    ];
    for (const fail of failures) {
      assert.throws(fail, (error) => error.name === 'EstimateError' && typeof error.field === 'string');
      stillWorks();
    }
  });

  test('createCalculator({ fresh: true }) gives an instance of its own that answers the same', async () => {
    const own = await createCalculator({ fresh: true });
    assert.notEqual(own.EstimateError, calc.EstimateError);  // another module instance
    stillWorks(own);
    refused(() => own.estimate('x'.repeat(LIMIT + 1)), 'request');
    stillWorks(own);
    stillWorks();
  });
});

describe('#2 the solver and sweeps are bounded by the fields\' own bounds', () => {
  const tiny = { config: llama, framework_config: { gpu_memory_gib: 0.001 } };
  test('solve: a max past the field\'s bound is refused, not walked', () => {
    refused(() => calc.solve(tiny, 'parallelism.tensor_parallel_size', { max: 2 ** 40 }), 'max',
      'max: must be at most 1048576, got 1099511627776');
    refused(() => calc.solve(tiny, 'parallelism.data_parallel_size', { max: 2 ** 40 }), 'max');
    assert.equal(calc.solve(tiny, 'parallelism.data_parallel_size', { max: 2 ** 20 }).value, null);
  });
  test('sweep: data and expert parallel sizes past 2^20 are refused by value', () => {
    refused(() => calc.sweep({ config: llama }, 'parallelism.data_parallel_size', [2 ** 40]), 'values[0]',
      'values[0]: must be at most 1048576, got 1099511627776');
    refused(() => calc.sweep({ config: llama }, 'parallelism.expert_parallel_size', [2 ** 30]), 'values[0]');
  });
  test('#10 a misspelt or malformed solve option is an error, not ignored', () => {
    const fits = { config: llama, framework_config: { gpu_memory_gib: 80 } };
    refused(() => calc.solve(fits, 'workload.batch_size', { maxx: 5 }), 'options.maxx', 'options.maxx: unknown option (known: max)');
    refused(() => calc.solve(fits, 'workload.batch_size', null), 'options');
    refused(() => calc.solve(fits, 'workload.batch_size', [5]), 'options');
    assert.equal(calc.solve(fits, 'workload.batch_size', { max: 5 }).value, 5);
  });
});

test('#3 a per-layer list longer than the layers (1.4 MB of mlp_only_layers) is refused by name', () => {
  const config = {
    model_type: 'qwen2_moe', architectures: ['Qwen2MoeForCausalLM'], hidden_size: 64, intermediate_size: 128,
    num_attention_heads: 4, num_key_value_heads: 4, num_hidden_layers: 100000, vocab_size: 1000, num_experts: 4,
    num_experts_per_tok: 2, moe_intermediate_size: 32, shared_expert_intermediate_size: 32, torch_dtype: 'bfloat16',
    mlp_only_layers: Array.from({ length: 230000 }, (_, i) => i % 100000),
  };
  refused(() => calc.estimate({ config }), 'config.mlp_only_layers',
    'config.mlp_only_layers: lists 230000 layers, more than num_hidden_layers (100000)');
  config.mlp_only_layers = config.mlp_only_layers.slice(0, 100000);
  assert.ok(calc.estimate({ config }).model.total_parameters > 0);
});

test('#11 lengths past the position limit are warned about, and vLLM refuses them in its words', () => {
  const result = calc.estimate({ config: llama, workload: { sequence_length: 1e12 } });
  assert.match(result.warnings[0], /^workload\.sequence_length \(1,000,000,000,000\) is beyond the model's max_position_embeddings \(4,096\)/);
  assert.ok(result.warnings.some((w) => w.startsWith('the KV cache alone is ')));
  const vllm = calc.estimate({ config: llama, framework: 'vllm', workload: { max_model_len: 1e12 }, framework_config: { gpu: 'H100' } });
  assert.equal(vllm.verdict.status, 'refuses');
  assert.match(vllm.verdict.reason, /^User-specified max_model_len \(1000000000000\) is greater than the derived max_model_len/);
});

test('#10 an option that does not apply in the chosen fine-tuning is named in a warning', () => {
  const result = calc.estimate({ config: llama, workload: { mode: 'training' }, framework_config: { fine_tuning: 'full', lora_rank: 8 } });
  assert.ok(result.warnings.includes('framework_config.lora_rank is ignored: it applies with framework_config.fine_tuning lora or qlora'));
});

describe('#7 #8 #10 the CLI reads within the limit, prints terminal-safe text, coerces nothing', () => {
  test('--request /dev/zero and an endless stdin stop at the limit with exit 2', async () => {
    const zero = run(['estimate', '--request', '/dev/zero']);
    assert.equal(zero.status, 2);
    assert.equal(zero.stderr, `llm-mem: request: /dev/zero is larger than ${LIMIT} bytes (4 MiB), the most a request may be (see llm-mem --help)\n`);
    // `yes | llm-mem estimate --request -`: a producer that never ends.
    const child = spawn(process.execPath, [cli, 'estimate', '--request', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const line = Buffer.from('y\n'.repeat(1 << 15));
    const pump = () => { while (!child.stdin.destroyed && child.stdin.write(line)); };
    child.stdin.on('drain', pump);
    child.stdin.on('error', () => {});  // the CLI stops reading: EPIPE is the point
    pump();
    const status = await new Promise((done) => child.on('exit', done));
    assert.equal(status, 2);
    assert.match(stderr, /^llm-mem: request: stdin is larger than 4194304 bytes/);
  });

  test('a config nested 10^6 deep is refused before JSON.parse', () => {
    const out = run(['estimate', '--config', file('deep.json', '['.repeat(1e6))]);
    assert.equal(out.status, 2);
    assert.equal(out.stderr, 'llm-mem: config: nested deeper than 64 levels\n');
  });

  test('--format table escapes control characters from the config: no escape sequence, no forged line', () => {
    const hostile = { ...llama, architectures: ['\u001b]0;pwned\u0007\u001b[2JLlama'], model_type: 'x\nwarning: forged' };
    const out = run(['estimate', '--config', file('hostile.json', JSON.stringify(hostile)), '--format', 'table']);
    assert.equal(out.status, 0, out.stderr);
    assert.doesNotMatch(out.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    assert.ok(out.stdout.includes('\\u001b]0;pwned\\u0007\\u001b[2JLlama'));
    assert.ok(!out.stdout.split('\n').some((line) => line.startsWith('warning: forged')));
  });

  test('numbers in flags are plain decimals, integers plain digits; lists keep their empty parts', () => {
    const config = file('llama.json', JSON.stringify(llama));
    for (const [args, message] of [
      [['--tp', '0x2'], 'parallelism.tensor_parallel_size: must be a positive integer, got "0x2"'],
      [['--tp', '0b10'], 'parallelism.tensor_parallel_size: must be a positive integer, got "0b10"'],
      [['--tp', '2.0'], 'parallelism.tensor_parallel_size: must be a positive integer, got "2.0"'],
      [['--tp', ' 2'], 'parallelism.tensor_parallel_size: must be a positive integer, got " 2"'],
      [['--tp', '1e0'], 'parallelism.tensor_parallel_size: must be a positive integer, got "1e0"'],
      [['--param', 'fragmentation_overhead_factor=0x1'], 'params.fragmentation_overhead_factor: must be a number, got "0x1"'],
      [['--framework', 'vllm', '--cudagraph-sizes', ',,,'], 'framework_config.cudagraph_capture_sizes[0]: must be a positive integer, got ""'],
      [['--framework', 'vllm', '--cudagraph-sizes', '1,,2'], 'framework_config.cudagraph_capture_sizes[1]: must be a positive integer, got ""'],
    ]) {
      const out = run(['estimate', '--config', config, ...args]);
      assert.equal(out.status, 2, args.join(' '));
      assert.equal(out.stderr, `llm-mem: ${message}\n`, args.join(' '));
    }
  });

  test('every option is given once: a repeated one is an error, not "the last wins"', () => {
    const config = file('llama.json', JSON.stringify(llama));
    const request = file('request.json', JSON.stringify({ config: llama }));
    for (const [args, message] of [
      [['--request', request, '--request', request], '--request: given twice'],
      [['--config', config, '--config', config], '--config: given twice'],
      [['--config', config, '--format', 'table', '--format', 'json'], '--format: given twice'],
      [['--config', config, '--tp', '2', '--tensor-parallel-size', '4'], '--tensor-parallel-size: given twice (parallelism.tensor_parallel_size)'],
    ]) {
      const out = run(['estimate', ...args]);
      assert.equal(out.status, 2, args.join(' '));
      assert.equal(out.stderr, `llm-mem: ${message} (see llm-mem --help)\n`, args.join(' '));
    }
  });
});

describe('#9 the server npm start runs', () => {
  let server, port;
  const root = join(scratch, 'site', 'web');
  before(async () => {
    mkdirSync(root, { recursive: true });
    mkdirSync(join(scratch, 'site', 'web-secret'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">ok');
    writeFileSync(join(scratch, 'site', 'web-secret', 'secret.txt'), 'secret');
    server = await serve(root, 0);
    port = server.address().port;
  });
  after(() => server.close());

  // Raw paths, as a hostile client sends them (fetch() would normalise them first).
  const get = (path, method = 'GET') => new Promise((done, fail) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => done({ status: response.statusCode, headers: response.headers, body }));
    });
    request.on('error', fail);
    request.end();
  });

  test('a broken escape is answered 400 and the server keeps serving', async () => {
    assert.equal((await get('/%E0%A4%A')).status, 400);
    assert.equal((await get('/')).status, 200);
  });

  test('no path leaves the root, a sibling folder sharing its prefix included', async () => {
    for (const path of ['/..%2fweb-secret%2fsecret.txt', '/../web-secret/secret.txt', '/%2e%2e/web-secret/secret.txt',
      '/..%5cweb-secret%5csecret.txt', '/index.html%00.js']) {
      const answer = await get(path);
      assert.ok([400, 403, 404].includes(answer.status), `${path}: ${answer.status}`);
      assert.notEqual(answer.body, 'secret', path);
    }
  });

  test('the page\'s CSP goes out as a header, with frame-ancestors', async () => {
    const answer = await get('/');
    assert.equal(answer.headers['content-security-policy'], "default-src 'self'; frame-ancestors 'self'");
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get('/', 'POST')).status, 405);
    assert.equal((await get('/', 'HEAD')).status, 200);
  });
});
