// The llama.cpp engine's contract: its buffers against llama.cpp's own start-up logs, its
// placement by -ngl, its refusal in its own words, and its solver's answers where the verdict flips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCalculator } from '../../wasm/index.mjs';
import { llamacppAccuracy } from '../support/llamacpp.mjs';
import { readFileSync } from 'node:fs';
import { corpusConfig } from '../support/scenarios.mjs';

const calc = await createCalculator();
const GIB = 2 ** 30, MIB = 2 ** 20;

test('llama.cpp logs: KV and model buffers to the hundredth of a MiB, compute buffers within 1% but the known misses', () => {
  const rows = llamacppAccuracy((request) => calc.estimate(request));
  const counted = rows.filter((row) => !row.left_out);
  assert.ok(new Set(counted.map((row) => row.id)).size >= 7, 'logs reproduced');
  for (const row of rows.filter((r) => r.left_out)) assert.ok(row.left_out.length > 20, row.id);
  for (const row of counted) {
    const where = `${row.id} ${row.buffer}: ${row.predicted.toFixed(2)} against ${row.logged} MiB`;
    if (row.buffer === 'kv_gpu' || row.buffer.startsWith('model_')) assert.ok(Math.abs(row.predicted - row.logged) <= 0.01, where);
    else if (!row.known_miss) assert.ok(Math.abs(row.error) <= 0.01, where);
  }
  assert.ok(counted.filter((row) => row.buffer.startsWith('model_')).length >= 4);
});

const qwen3 = () => corpusConfig('qwen3-8b.json');
const estimate = (framework_config, extra = {}) =>
  calc.estimate({ config: qwen3(), framework: 'llama.cpp', checkpoint: { weights_as: 'q4_k_m' }, framework_config, ...extra });

test('-ngl: the last layers go to the GPU, the output head only past the layers, the embedding never', () => {
  const all = estimate({ gpu: 'RTX 4090' }).llamacpp_buffers;
  assert.equal(all.offloaded_layers, 37);
  assert.equal(all.gpus[0].layers, 36);
  assert.ok(all.gpus[0].output);
  const layers = estimate({ gpu: 'RTX 4090', n_gpu_layers: 36 }).llamacpp_buffers;
  assert.equal(layers.offloaded_layers, 36);
  assert.equal(layers.gpus[0].output, false);
  // The head moves to system memory with its bytes; the embedding is there either way.
  assert.ok(layers.host_model_gib > all.host_model_gib);
  assert.ok(Math.abs((all.gpus[0].model_gib - layers.gpus[0].model_gib) - (layers.host_model_gib - all.host_model_gib)) < 1e-9);
  const half = estimate({ gpu: 'RTX 4090', n_gpu_layers: 18 }).llamacpp_buffers;
  assert.equal(half.gpus[0].layers, 18);
  assert.ok(Math.abs(half.gpus[0].kv_gib - all.gpus[0].kv_gib / 2) < 1e-9, 'each layer\'s KV sits beside it');
  assert.ok(Math.abs(half.host_kv_gib - all.gpus[0].kv_gib / 2) < 1e-9);
  // Two GPUs split the 36 layers and the head in halves of 37 (load_tensors' split counts the
  // head): 19 layers, then 17 and the head. The busiest one is the breakdown.
  const two = estimate({ gpu: 'RTX 4090' }, { parallelism: { pipeline_parallel_size: 2 } });
  assert.equal(two.llamacpp_buffers.gpus.length, 2);
  assert.deepEqual(two.llamacpp_buffers.gpus.map((g) => [g.layers, g.output]), [[19, false], [17, true]]);
  assert.ok(two.breakdown.model_weights < estimate({ gpu: 'RTX 4090' }).breakdown.model_weights);
});

test('the KV cache as llama.cpp sizes it: padding, slots, sliding windows, a quantized cache', () => {
  const cells = (fc, config = qwen3()) =>
    calc.estimate({ config, framework: 'llama.cpp', framework_config: fc }).llamacpp_buffers;
  assert.equal(cells({ ctx_size: 5000 }).kv_cells, 5120);                       // flash attention: to 256
  assert.equal(cells({ ctx_size: 5000, flash_attn: 'off' }).kv_cells, 5024);    // without: to 32
  const slots = cells({ ctx_size: 8192, n_parallel: 4 });
  assert.deepEqual([slots.kv_cells, slots.streams], [2048, 4]);                 // each slot its share
  const unified = cells({ ctx_size: 8192, n_parallel: 4, kv_unified: true });
  assert.deepEqual([unified.kv_cells, unified.streams], [8192, 1]);
  // Gemma-3: five of six layers slide over 1024 tokens; they keep the window and a micro-batch.
  const gemma = cells({ ctx_size: 32768 }, corpusConfig('gemma-3-4b-it.json'));
  assert.deepEqual([gemma.kv_cells, gemma.swa_cells], [32768, 1536]);
  assert.equal(cells({ ctx_size: 32768, swa_full: true }, corpusConfig('gemma-3-4b-it.json')).swa_cells, 32768);
  // q8_0 stores 34 bytes per 32 values.
  const f16 = estimate({ ctx_size: 8192 }).breakdown.kv_cache;
  const q8 = estimate({ ctx_size: 8192, cache_type_k: 'q8_0', cache_type_v: 'q8_0' }).breakdown.kv_cache;
  assert.ok(Math.abs(q8 / f16 - 34 / 64) < 1e-12);
  // DeepSeek's MLA: 576 K and 512 V values per token and layer (PR #12801's cache).
  const deepseek = calc.estimate({ config: corpusConfig('deepseek.json'), framework: 'llama.cpp', framework_config: { ctx_size: 4096 } });
  assert.equal(deepseek.llamacpp_buffers.gpus[0].kv_gib * GIB, 61 * 4096 * (576 + 512) * 2);
});

test('a quantized V cache without flash attention: llama.cpp refuses, in its words', () => {
  const result = estimate({ gpu: 'RTX 4090', flash_attn: 'off', cache_type_v: 'q8_0' });
  assert.equal(result.verdict.status, 'refuses');
  assert.equal(result.verdict.reason, 'V cache quantization requires flash_attn');
  assert.equal(result.verdict.field, 'framework_config.cache_type_v');
  assert.equal(estimate({ gpu: 'RTX 4090', cache_type_v: 'q8_0' }).verdict.status, 'fits');
});

test('the solver: the most GPU layers and the largest context are where the verdict flips', () => {
  const qwen25_14b = JSON.parse(readFileSync(new URL('../data/quantized/configs/qwen2.5-14b.json', import.meta.url), 'utf8'));
  const base = { gpu: 'RTX 3060', ctx_size: 32768 };
  const big = (fc) => calc.estimate({ config: qwen25_14b, framework: 'llama.cpp',
    checkpoint: { weights_as: 'q4_k_m' }, framework_config: { ...base, ...fc } });
  const result = big({});
  assert.equal(result.verdict.status, 'does_not_fit');
  const layers = result.solver.find((s) => s.field === 'framework_config.n_gpu_layers');
  assert.ok(layers.value > 0 && layers.value < 49, JSON.stringify(layers));
  assert.equal(big({ n_gpu_layers: layers.value }).verdict.status, 'fits');
  assert.equal(big({ n_gpu_layers: layers.past }).verdict.status, 'does_not_fit');
  const context = result.solver.find((s) => s.field === 'framework_config.ctx_size');
  assert.equal(big({ ctx_size: context.value }).verdict.status, 'fits');
  assert.equal(big({ ctx_size: context.past }).verdict.status, 'does_not_fit');
  // The breakdown is the busiest GPU's, the rest is system memory: nothing is counted twice.
  const b = result.llamacpp_buffers;
  const gpu = b.gpus[0];
  assert.ok(Math.abs(result.breakdown.model_weights - gpu.model_gib) < 1e-12);
  assert.ok(Math.abs(result.cpu_memory_gib - (b.host_model_gib + b.host_kv_gib + b.host_compute_gib + b.output_gib)) < 1e-12);
  assert.ok(Math.abs(result.breakdown.non_torch_memory * 1024 - 457) < 1e-9);
});

test('llama.cpp says what it assumed and what it ignores', () => {
  const said = (request) => calc.estimate(request).warnings.join('\n');
  assert.match(said({ config: qwen3(), framework: 'llama.cpp' }), /ctx_size not given: llama-server's -c 4096/);
  assert.match(said({ config: qwen3(), framework: 'llama.cpp' }), /llama\.cpp loads GGUF files/);
  assert.match(said({ config: qwen3(), framework: 'llama.cpp', workload: { batch_size: 8 } }), /batch_size/);
  assert.match(said({ config: qwen3(), framework: 'llama.cpp', framework_config: { ctx_size: 100000 } }), /possible training context overflow/);
  assert.throws(() => calc.estimate({ config: qwen3(), framework: 'llama.cpp', workload: { mode: 'training' } }), /llama\.cpp serves models/);
});
