// SGLang as a person sees it: the engine offered beside the others, its server arguments as
// fields, its verdict in its terms (the pool's tokens, requests of the context at once), its
// pool panel, and the same answer on the page and in the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chartsDrawn, hashFor, startPage } from '../support/browser.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

test('Llama-3.1-8B under SGLang 0.5.5 on an L40S: the page, its pool panel and the CLI say what SGLang holds', async () => {
  const request = { preset: 'llama-3.1-8b', framework: 'sglang', framework_config: { gpu: 'L40S', sglang_version: '0.5.5' } };
  const page = await site.open(hashFor(request));
  await chartsDrawn(page);
  assert.deepEqual(page.problems, []);
  const verdict = await page.textContent('[data-testid="verdict"]');
  assert.match(verdict, /^Starts on 1 x L40S 48GB: a pool of [\d,]+ tokens, 1\.\d\d requests of 131,072 tokens at once\.$/);
  for (const path of ['framework_config.sglang_version', 'framework_config.mem_fraction_static', 'framework_config.context_length']) {
    assert.ok(await page.isVisible(`[data-testid="${path}"]`), path);
  }
  assert.equal(await page.isVisible('[data-testid="workload.batch_size"]'), false);
  assert.equal(await page.isVisible('[data-testid="framework_config.gpu_memory_utilization"]'), false, 'vLLM\'s flags stay hidden');
  // The pool panel: SGLang's own figures, the default fraction the version picks for this card.
  const panel = await page.textContent('[data-testid="capacity"]');
  assert.match(panel, /SGLang’s memory pool on this GPU/);
  assert.match(panel, /mem_fraction_static 0\.851/);
  assert.match(panel, /max_total_num_tokens/);
  assert.match(await page.textContent('#breakdown-rows'), /KV pool and request table/);
  const charts = await page.$$eval('[data-testid^="chart-"]', (nodes) => nodes.map((n) => n.dataset.testid));
  assert.ok(charts.includes('chart-fraction') && charts.includes('chart-tp'), JSON.stringify(charts));
  await page.screenshot({ path: join(repoRoot, 'build/sglang-page.png'), fullPage: true });
  const out = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--request', '-'], {
    input: JSON.stringify({ ...request, preset: undefined, config: corpusConfig('llama-3.1-8b.json') }), encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const api = JSON.parse(out.stdout);
  assert.equal(api.verdict.summary, verdict.trim());
  assert.equal(Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')), api.breakdown.total);
  await page.close();
});

test('a fraction too large for the graphs: SGLang\'s refusal in its words, and the solver\'s largest fraction', async () => {
  const request = { preset: 'llama-3.1-8b', framework: 'sglang', framework_config: { gpu: 'L40S', mem_fraction_static: 0.99 } };
  const page = await site.open(hashFor(request));
  await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.dataset.status === 'refuses');
  assert.match(await page.textContent('[data-testid="verdict"]'), /Capture cuda graph failed: CUDA out of memory/);
  assert.match(await page.textContent('[data-testid="solver"]'), /Largest --mem-fraction-static that starts/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
