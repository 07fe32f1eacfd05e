// One truth per engine: over a grid of vLLM scenarios (models x GPUs x TP x lengths x versions),
// no response contradicts itself or vLLM's own start-up checks, and the CLI prints the same.
// (The page and the component are compared on a sample in tests/web/coherence.test.mjs.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';
import { vllmGrid } from '../support/grid.mjs';

const calc = await createCalculator();
const scenarios = vllmGrid();

/**
 * vLLM's start check, recomputed here from the model's shapes and the capacity's own numbers:
 * the configuration rules it checks first (ModelConfig, the parallel layers), then, with a GPU,
 * one request of max_model_len in the KV memory left (V1) or the tokens its blocks hold (V0).
 */
function startCheck(request, result) {
  const m = result.model, tp = request.parallelism?.tensor_parallel_size ?? 1;
  const length = result.settings.find((s) => s.path === 'workload.max_model_len').value;
  const rope = request.config.rope_scaling;
  const scaledRope = rope && !['llama3', 'longrope', 'su', 'default'].includes(rope.rope_type ?? rope.type);
  if (!scaledRope && m.max_position_embeddings > 0 && length > m.max_position_embeddings) return false;
  if (m.num_attention_heads % tp !== 0) return false;
  if ((Math.ceil(m.vocab_size / 64) * 64) % tp !== 0) return false;
  const kv = m.num_key_value_heads;
  if (!request.config.kv_lora_rank && (tp >= kv ? tp % kv !== 0 : kv % tp !== 0)) return false;
  const c = result.kv_cache_capacity;
  if (!c) return true;  // no GPU: nothing more vLLM checks before it has one
  const engine = result.settings.find((s) => s.path === 'framework_config.vllm_engine').value;
  if (engine === 'v0') return c.num_gpu_blocks > 0 && c.block_size * Math.floor(c.num_gpu_blocks / (request.parallelism?.pipeline_parallel_size ?? 1)) >= length;
  return c.available_gib > 0 && c.needed_for_one_request_gib <= c.available_gib;
}

const at = (request, field, value) => {
  const [section, key] = field.split('.');
  return calc.estimate({ ...request, [section]: { ...request[section], [key]: value } });
};

test(`${scenarios.length} vLLM scenarios: each response agrees with itself and with vLLM's start check`, () => {
  assert.ok(scenarios.length >= 200, String(scenarios.length));
  const seen = { starts: 0, refuses: 0, no_gpu: 0, answers: 0 };
  for (const { name, request } of scenarios) {
    const r = calc.estimate(request);
    const b = r.breakdown, v = r.verdict, c = r.kv_cache_capacity;
    seen[v.status]++;
    // The components make the total.
    const sum = Object.entries(b).filter(([key]) => key !== 'total').reduce((total, [, gib]) => total + gib, 0);
    assert.ok(Math.abs(sum - b.total) <= 1e-9 * Math.max(1, b.total), `${name}: parts ${sum} != total ${b.total}`);
    // The verdict is vLLM's start check, and says so once.
    const expected = startCheck(request, r);
    assert.equal(v.ok, v.status === 'starts', name);
    if (c) assert.equal(v.ok, expected, `${name}: ${v.summary}`);
    else assert.equal(v.status === 'refuses', !expected, `${name}: ${v.summary}`);
    if (c) {
      assert.equal(c.starts, v.ok, name);
      // It starts exactly when what it needs to start is within what it may hold (configuration
      // refusals aside, which no memory changes).
      const memory = !v.reason || /^(To serve|No available memory|The model's max seq len|Free memory)/.test(v.reason);
      if (memory) assert.equal(v.ok, v.needed_gib <= v.limit_gib + 1e-9, `${name}: needs ${v.needed_gib}, may hold ${v.limit_gib}`);
      const outside = c.cuda_graph_in_budget ? 0 : c.cuda_graph_gib;
      assert.ok(Math.abs(v.limit_gib - (c.budget_gib + outside)) < 1e-9, name);
      // With a GPU the breakdown is what vLLM holds: its budget, and graphs captured outside it.
      if (v.ok) assert.ok(Math.abs(b.total - (c.budget_gib + outside)) < 1e-6, `${name}: total ${b.total} vs budget ${c.budget_gib} + ${outside}`);
      assert.equal(b.safety_margin, 0, name);
    } else {
      assert.ok(r.requirements, name);
      assert.ok(r.requirements.to_start_gib <= r.requirements.all_sequences_gib + 1e-9, name);
    }
    // Each solver answer flips the verdict exactly where it says.
    for (const answer of r.solver) {
      if (answer.value === null) continue;
      seen.answers++;
      assert.equal(at(request, answer.field, answer.value).verdict.ok, true, `${name}: ${answer.field} = ${answer.value}`);
      if (answer.past !== null) assert.equal(at(request, answer.field, answer.past).verdict.ok, false, `${name}: ${answer.field} = ${answer.past}`);
    }
  }
  // The grid reaches every outcome.
  for (const key of Object.keys(seen)) assert.ok(seen[key] > 10, JSON.stringify(seen));
  console.log(`# verdicts over the grid: ${JSON.stringify(seen)}`);
});

test('the CLI prints the same response as the JS API, for every eighth scenario', () => {
  const cli = join(repoRoot, 'wasm/cli.mjs');
  for (const { name, request } of scenarios.filter((_, i) => i % 8 === 0)) {
    const out = spawnSync(process.execPath, [cli, 'estimate', '--request', '-'], { input: JSON.stringify(request), encoding: 'utf8' });
    assert.equal(out.status, 0, `${name}: ${out.stderr}`);
    assert.deepEqual(JSON.parse(out.stdout), calc.estimate(request), name);
  }
});

test('transformers and DeepSpeed: the verdict is the total against the GPU, and their solver flips it', () => {
  for (const [framework, extra] of [['transformers', {}], ['transformers', { workload: { mode: 'training' } }],
    ['deepspeed', { parallelism: { data_parallel_size: 8, zero_stage: 2 } }]]) {
    for (const gpu of ['H100', 'L4', 'RTX 4090']) {
      const request = { config: corpusConfig('llama-3.1-8b.json'), framework, ...extra,
        framework_config: { ...extra.framework_config, gpu } };
      const r = calc.estimate(request);
      assert.equal(r.verdict.ok, r.breakdown.total <= r.verdict.gpu_memory_gib, `${framework} ${gpu}`);
      assert.equal(r.verdict.needed_gib, r.breakdown.total);
      for (const answer of r.solver.filter((a) => a.value !== null)) {
        assert.equal(at(request, answer.field, answer.value).verdict.ok, true, `${framework} ${gpu} ${answer.field}`);
        if (answer.past !== null) assert.equal(at(request, answer.field, answer.past).verdict.ok, false, `${framework} ${gpu} ${answer.field} past`);
      }
      for (const way of r.alternatives) assert.equal(way.ok, way.needed_gib <= r.verdict.gpu_memory_gib, way.label);
    }
  }
});
