// The same request gives the same answer through the native core, the WASM module and the
// CLI: byte for byte, over random valid requests (seeded) and the corpus configs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

const wasm = await createRequire(import.meta.url)('../../wasm/dist/llm-mem.cjs')();

function* randomRequests(count, seed) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (options) => options[Math.floor(next() * options.length)];
  const between = (low, high) => low + Math.floor(next() * (high - low + 1));
  const configs = readdirSync(join(repoRoot, 'tests/data/configs')).filter((name) => name.endsWith('.json'));
  for (let i = 0; i < count; i++) {
    const config = corpusConfig(pick(configs));
    const framework = pick(['transformers', 'vllm', 'deepspeed']);
    const heads = config.num_attention_heads ?? config.n_head ?? config.text_config?.num_attention_heads;
    yield {
      config,
      framework,
      workload: { batch_size: between(1, 64), sequence_length: between(1, 65536), max_num_seqs: between(1, 1024),
        max_model_len: between(1, 262144), kv_cache_dtype: pick(['auto', 'fp8', 'float16']) },
      parallelism: { tensor_parallel_size: pick([1, 2, 4].filter((tp) => heads % tp === 0)),
        data_parallel_size: pick([1, 2, 8]), ...(framework === 'deepspeed' ? { zero_stage: between(0, 3) } : {}) },
      framework_config: { gpu_memory_gib: pick([24, 79.19, 139.8]),
        ...(framework === 'vllm' ? { cudagraph_capture_sizes: [1, 2, 4, 8, 16, 32] } : {}) },
      params: { fragmentation_overhead_factor: 1 + next() * 0.2 },
    };
  }
}

const requests = [...randomRequests(300, 42)].map((request) => JSON.stringify(request));

test('native core and WASM module print identical responses for 300 random requests', () => {
  const native = spawnSync(join(repoRoot, 'build/native/tests/estimate_lines'), { input: requests.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(native.status, 0, native.stderr);
  const lines = native.stdout.trimEnd().split('\n');
  assert.equal(lines.length, requests.length);
  let ok = 0;
  requests.forEach((request, i) => {
    assert.equal(wasm._estimateJson(request), lines[i], `request ${i}: ${request.slice(0, 200)}`);
    if (JSON.parse(lines[i]).ok) ok++;
  });
  assert.ok(ok > 250, `${ok} of 300 random requests were valid`);  // the comparison must cover real results
});

test('the CLI prints what the module returns, for a sample of them', () => {
  for (const request of requests.slice(0, 12)) {
    const envelope = JSON.parse(wasm._estimateJson(request));
    const cli = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--request', '-'], { input: request, encoding: 'utf8' });
    if (envelope.ok) {
      assert.equal(cli.status, 0, cli.stderr);
      assert.deepEqual(JSON.parse(cli.stdout), envelope.result);
    } else {
      assert.equal(cli.status, 2);
      assert.equal(cli.stderr, `llm-mem: ${envelope.error.message}\n`);
    }
  }
});
