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
  // A vision tower is a separate mmproj file: said, and in no buffer.
  const vl = calc.estimate({ config: corpusConfig('qwen2.5-vl-3b-instruct.json'), framework: 'llama.cpp', checkpoint: { weights_as: 'q8_0' } });
  assert.match(vl.warnings.join('\n'), /vision tower is not counted: llama\.cpp loads it from its own mmproj file/);
  const text = corpusConfig('qwen2.5-vl-3b-instruct.json');
  delete text.vision_config;
  const alone = calc.estimate({ config: text, framework: 'llama.cpp', checkpoint: { weights_as: 'q8_0' } }).llamacpp_buffers;
  assert.equal(vl.llamacpp_buffers.host_model_gib, alone.host_model_gib);
  assert.equal(vl.llamacpp_buffers.gpus[0].model_gib, alone.gpus[0].model_gib);
  assert.ok(vl.model.weight_bytes > calc.estimate({ config: text, framework: 'llama.cpp', checkpoint: { weights_as: 'q8_0' } }).model.weight_bytes);
});

test('through Ollama: its defaults by version and VRAM, and its own choice of layers', () => {
  const ollama = (version, gpu, config = qwen3(), extra = {}) => {
    const result = calc.estimate({ config, framework: 'llama.cpp', checkpoint: { weights_as: 'q4_k_m' },
      framework_config: { gpu, ollama_version: version, ...extra } });
    return { result, set: Object.fromEntries(result.settings.map((s) => [s.path.replace('framework_config.', ''), s.value])) };
  };
  // num_ctx: 2048, 4096 from 0.6.7, by the GPUs' memory from 0.15.5; parallel 4, 2 from 0.6.7, 1 from 0.9.7.
  assert.deepEqual(['num_ctx', 'ollama_num_parallel'].map((k) => ollama('0.5.7', 'RTX 3060').set[k]), [2048, 4]);
  assert.deepEqual(['num_ctx', 'ollama_num_parallel'].map((k) => ollama('0.6.7', 'RTX 3060').set[k]), [4096, 2]);
  assert.deepEqual(['num_ctx', 'ollama_num_parallel'].map((k) => ollama('0.9.7', 'RTX 3060').set[k]), [4096, 1]);
  assert.equal(ollama('0.15.5', 'RTX 3060').set.num_ctx, 4096);
  assert.equal(ollama('0.15.5', 'RTX 4090').set.num_ctx, 32768);
  // 256k from 47 GiB, but never past the model's training context.
  const h100 = ollama('0.15.5', 'H100');
  assert.equal(h100.set.num_ctx, 40960);
  assert.match(h100.result.warnings.join('\n'), /requested context size too large for model/);
  // The runner gets num_ctx x parallel cells in slots that are not unified.
  const two = ollama('0.6.7', 'RTX 4090').result.llamacpp_buffers;
  assert.deepEqual([two.kv_cells, two.streams], [4096, 2]);
  // Flash attention: off, then on for Qwen3 from 0.12.4; a quantized cache only with it.
  assert.equal(ollama('0.12.3', 'RTX 4090').set.ollama_flash_attention, false);
  assert.equal(ollama('0.12.4', 'RTX 4090').set.ollama_flash_attention, true);
  const q8 = ollama('0.12.3', 'RTX 4090', qwen3(), { ollama_kv_cache_type: 'q8_0' });
  assert.equal(q8.set.ollama_kv_cache_type, 'f16');
  assert.match(q8.result.warnings.join('\n'), /quantized kv cache requested but flash attention disabled/);
  // A 70B model on a 12 GB card: Ollama offloads the layers that fit, and it runs.
  const big = ollama('0.15.5', 'RTX 3060', corpusConfig('llama-3.1-70b-instruct.json'));
  const layers = big.set.n_gpu_layers;
  assert.ok(layers > 0 && layers < 81, String(layers));
  assert.equal(big.result.verdict.status, 'fits');
  assert.match(big.result.verdict.summary, new RegExp(`${layers}/81 layers on the GPU \\(Ollama's choice\\)`));
  const one_more = calc.estimate({ config: corpusConfig('llama-3.1-70b-instruct.json'), framework: 'llama.cpp',
    checkpoint: { weights_as: 'q4_k_m' }, framework_config: { gpu: 'RTX 3060', ollama_version: '0.15.5', n_gpu_layers: layers + 1 } });
  assert.equal(one_more.verdict.status, 'does_not_fit');
  // Its default parallelism falls back to one slot where the model does not fit whole with it.
  assert.equal(ollama('0.6.7', 'RTX 3060', corpusConfig('llama-3.1-70b-instruct.json')).set.ollama_num_parallel, 1);
  // llama-server's own flags are Ollama's to set: said, and ignored.
  assert.match(ollama('0.15.5', 'RTX 4090', qwen3(), { ctx_size: 8192 }).result.warnings.join('\n'),
    /framework_config\.ctx_size is ignored: Ollama 0\.15\.5 starts the runner with its own/);
});

test('a 2026 build (--llamacpp-build 9849): -c is the training context, and --fit lowers it to fit the GPU with 1 GiB free', () => {
  const fit = estimate({ gpu: 'RTX 3060 Ti 8GB', llamacpp_build: 9849 });
  const ctx = fit.settings.find((s) => s.path === 'framework_config.ctx_size');
  assert.match(ctx.source, /^--fit: the most context that fits the GPU with 1 GiB free$/);
  assert.ok(ctx.value >= 4096 && ctx.value < 40960 && ctx.value % 256 === 0, String(ctx.value));
  assert.ok(fit.verdict.ok && fit.verdict.limit_gib - fit.verdict.needed_gib >= 1 - 1e-9, 'a GiB left free');
  const roomy = estimate({ gpu: 'RTX 4090', llamacpp_build: 9849 });
  assert.equal(roomy.settings.find((s) => s.path === 'framework_config.ctx_size').value, 40960, 'the training context where it fits');
  // A context the user set is kept; the layers give way instead.
  const kept = estimate({ gpu: 'RTX 3060 Ti 8GB', llamacpp_build: 9849, ctx_size: 40960 });
  assert.equal(kept.settings.find((s) => s.path === 'framework_config.ctx_size').value, 40960);
  assert.ok(kept.llamacpp_buffers.offloaded_layers < 37);
  assert.match(kept.settings.find((s) => s.path === 'framework_config.n_gpu_layers').source, /^--fit/);
  // A 2025 build: -c 4096 as before.
  assert.equal(estimate({ gpu: 'RTX 3060 Ti 8GB', llamacpp_build: 6000 }).settings.find((s) => s.path === 'framework_config.ctx_size').value, 4096);
});

test('automatic slots: from b6925 -np 1 without -kvu becomes 4 slots sharing one cache; from b7433 only an unset -np does', () => {
  const slots = (fc) => { const r = estimate({ gpu: 'RTX 4090', ctx_size: 8192, ...fc }); return [r.llamacpp_buffers.streams, r.settings.find((s) => s.path === 'framework_config.n_parallel').value]; };
  assert.deepEqual(slots({ llamacpp_build: 6000 }), [1, 1]);
  assert.deepEqual(slots({ llamacpp_build: 7000 }), [1, 4]);                    // 4 slots, one unified stream
  assert.deepEqual(slots({ llamacpp_build: 7000, kv_unified: true }), [1, 1]);  // -kvu given: left alone
  assert.deepEqual(slots({ llamacpp_build: 9849 }), [1, 4]);
  assert.deepEqual(slots({ llamacpp_build: 9849, n_parallel: 1 }), [1, 1]);     // -np 1 given: one slot
  // The same cells either way (one stream of 8192), but a sliding-window model keeps a window per slot.
  const gemma = (fc) => calc.estimate({ config: corpusConfig('gemma-2-9b-it.json'), framework: 'llama.cpp',
    framework_config: { gpu: 'RTX 4090', ctx_size: 8192, ...fc } }).llamacpp_buffers.swa_cells;
  assert.ok(gemma({ llamacpp_build: 9849 }) > gemma({ llamacpp_build: 9849, n_parallel: 1 }));
});
