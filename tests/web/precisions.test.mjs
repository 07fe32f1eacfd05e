// "What if I quantize it?" as a visitor sees it: the weights_as control, and the same scenario at
// other precisions side by side, each row the engine's own answer for that request.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { hashFor, startPage } from '../support/browser.mjs';
import { repoRoot } from '../support/scenarios.mjs';

let site;
let calc;
before(async () => {
  site = await startPage();
  calc = await createCalculator();
});
after(() => site.close());

test('the precision table answers the scenario at each precision, as the engine does', async () => {
  const state = { preset: 'llama-3.1-8b', framework: 'vllm', framework_config: { gpu: 'RTX 4080 16GB' }, workload: { max_model_len: 8192 } };
  const page = await site.open(hashFor(state));
  await page.click('[data-testid="precisions"] summary');
  await page.waitForSelector('[data-testid="precisions"]:not([data-pending]) tbody tr');
  const rows = await page.$$eval('[data-testid="precision-table"] tbody tr', (trs) => trs.map((tr) => ({
    weightsAs: tr.dataset.weightsAs, label: tr.querySelector('th').textContent,
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
  })));
  assert.ok(rows.length >= 15);
  const config = JSON.parse(await page.evaluate(() => JSON.stringify(globalThis.LLM_MEM_PRESETS.find((p) => p.id === 'llama-3.1-8b').config)));
  for (const row of rows) {
    const result = calc.estimate({ config, framework: 'vllm', framework_config: { gpu: 'RTX 4080 16GB' }, workload: { max_model_len: 8192 },
      checkpoint: { weights_as: row.weightsAs } });
    assert.equal(row.cells[0], (result.model.weight_bytes / 1e9).toFixed(2), row.weightsAs);
    assert.equal(row.cells[2], result.breakdown.total.toFixed(2), row.weightsAs);
  }
  const byChoice = Object.fromEntries(rows.map((row) => [row.weightsAs, row]));
  assert.equal(byChoice.q4_k_m.label, 'GGUF Q4_K_M');
  // bf16 8B does not start on a 16 GB card; 4-bit does.
  assert.equal(byChoice.bf16.cells[3], 'refuses to start');
  assert.equal(byChoice.awq.cells[3], 'starts');
  // "Use" puts the choice in the form: the answer, the link and the model facts follow.
  await page.click('tr[data-weights-as="q4_k_m"] button');
  await page.waitForFunction(() => document.querySelector('[data-testid="model-dtype"]')?.textContent.includes('Q4_K_M'));
  assert.equal(await page.inputValue('[data-testid="checkpoint.weights_as"]'), 'q4_k_m');
  assert.match(decodeURIComponent(page.url()), /"weights_as":"q4_k_m"/);
  await page.waitForSelector('tr[data-weights-as="q4_k_m"][aria-current="true"]');
  mkdirSync(join(repoRoot, 'build/screenshots'), { recursive: true });
  await page.locator('[data-testid="precisions"]').screenshot({ path: join(repoRoot, 'build/screenshots/precisions.png') });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a GGUF choice under transformers says the file is dequantized, in the notes', async () => {
  const page = await site.open(hashFor({ preset: 'llama-3.1-8b', checkpoint: { weights_as: 'q4_k_m' } }));
  const notes = await page.textContent('[data-testid="warnings"]');
  assert.match(notes, /dequantizes a GGUF file to fp32/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the component takes weights-as and answers as the engine does', async () => {
  const host = await site.browser.newPage();
  await host.goto(site.url + 'embed.html');
  const shown = await host.evaluate(async () => {
    const node = document.createElement('llm-memory-calculator');
    for (const [key, value] of Object.entries({ model: 'llama-3.1-8b', framework: 'vllm', gpu: 'RTX 4080 16GB', context: '8192', 'weights-as': 'awq' })) {
      node.setAttribute(key, value);
    }
    document.body.append(node);
    for (let i = 0; i < 200; i++) {
      const total = node.shadowRoot.querySelector('.total');
      const verdict = node.shadowRoot.querySelector('.fit');
      if (total && verdict) return [total.textContent, verdict.dataset.status];
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return null;
  });
  const config = await host.evaluate(() => globalThis.LLM_MEM_PRESETS.find((p) => p.id === 'llama-3.1-8b').config);
  const result = calc.estimate({ config, framework: 'vllm', workload: { max_model_len: 8192 }, framework_config: { gpu: 'RTX 4080 16GB' },
    checkpoint: { weights_as: 'awq' } });
  assert.deepEqual(shown, [`${result.breakdown.total.toFixed(2)} GiB per GPU`, 'starts']);
  await host.close();
});
