// llama.cpp as a person sees it: the engine offered beside the others, its flags as fields, its
// verdict in its terms (layers on the GPU), its buffers named as its log names them, and the
// same answer on the page, in the CLI and in the component.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chartsDrawn, hashFor, startPage } from '../support/browser.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

test('Qwen3-8B as a Q4_K_M GGUF on an RTX 3060: the page, the CLI and the component say what llama.cpp holds', async () => {
  const request = { preset: 'qwen3-8b', framework: 'llama.cpp', checkpoint: { weights_as: 'q4_k_m' },
    framework_config: { gpu: 'RTX 3060', ctx_size: 32768 } };
  const page = await site.open(hashFor(request));
  await chartsDrawn(page);
  assert.deepEqual(page.problems, []);
  const verdict = await page.textContent('[data-testid="verdict"]');
  assert.match(verdict, /37\/37 layers on the GPU/);
  // Its flags are the fields, in a section of their own.
  for (const path of ['framework_config.ctx_size', 'framework_config.n_gpu_layers', 'framework_config.cache_type_k']) {
    assert.ok(await page.isVisible(`[data-testid="${path}"]`), path);
  }
  assert.equal(await page.isVisible('[data-testid="workload.batch_size"]'), false);
  assert.match(await page.textContent('[data-testid="breakdown-rows"], #breakdown-rows'), /Compute buffer/);
  assert.match(await page.textContent('#model-facts'), /Layers on the GPU\s*37\/37/);
  const charts = await page.$$eval('[data-testid^="chart-"]', (nodes) => nodes.map((n) => n.dataset.testid));
  assert.ok(charts.includes('chart-context') && charts.includes('chart-layers'), JSON.stringify(charts));
  await page.screenshot({ path: join(repoRoot, 'build/llamacpp-page.png'), fullPage: true });
  // The CLI's answer is the page's.
  const out = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--request', '-'], {
    input: JSON.stringify({ ...request, preset: undefined, config: corpusConfig('qwen3-8b.json') }), encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const api = JSON.parse(out.stdout);
  assert.equal(api.verdict.summary, verdict.trim());
  assert.equal(Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')), api.breakdown.total);
  await page.close();
});

test('fewer layers on the GPU: the page moves them to system memory, and a quantized V cache without flash attention is refused', async () => {
  const request = { preset: 'qwen3-8b', framework: 'llama.cpp', checkpoint: { weights_as: 'q4_k_m' },
    framework_config: { gpu: 'RTX 3060', n_gpu_layers: 20 } };
  const page = await site.open(hashFor(request));
  assert.match(await page.textContent('[data-testid="verdict"]'), /20\/37 layers on the GPU/);
  assert.match(await page.textContent('#model-facts'), /System memory/);
  await page.selectOption('[data-testid="framework_config.flash_attn"]', 'off');
  await page.selectOption('[data-testid="framework_config.cache_type_v"]', 'q8_0');
  await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.dataset.status === 'refuses');
  assert.match(await page.textContent('[data-testid="verdict"]'), /V cache quantization requires flash_attn/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('through Ollama on an 8 GB card: the page shows the layers Ollama puts on the GPU, and its settings', async () => {
  const request = { preset: 'qwen3-8b', framework: 'llama.cpp', checkpoint: { weights_as: 'q4_k_m' },
    framework_config: { gpu: 'RTX 3060 Ti 8GB', ollama_version: '0.15.5', num_ctx: 32768 } };
  const page = await site.open(hashFor(request));
  const verdict = await page.textContent('[data-testid="verdict"]');
  const [, layers] = verdict.match(/(\d+)\/37 layers on the GPU \(Ollama's choice\)/);
  assert.ok(Number(layers) > 0 && Number(layers) < 37, verdict);
  assert.ok(await page.isVisible('[data-testid="framework_config.ollama_version"]'));
  assert.deepEqual(page.problems, []);
  await page.close();
});
