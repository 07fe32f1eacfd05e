// What a first-time visitor meets, in real Chromium: the answer on the first screen, a GPU
// remembered, never a stale answer, plain words, a comparison that stays in the window and in
// the link, charts that read out their values, exports that carry the scenario, the embed page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chartsDrawn, hashFor, startPage } from '../support/browser.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

const DESKTOP = { width: 1366, height: 768 }, PHONE = { width: 390, height: 844 };

async function visit(viewport, hash = '', options = {}) {
  const context = await site.browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const failed = [];
  page.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`); });
  page.on('pageerror', (error) => failed.push(error.message));
  await page.goto(site.url + hash);
  await page.waitForSelector('html[data-ready="true"]');
  await chartsDrawn(page);
  return { context, page, failed };
}

const verdictOf = (page) => page.$eval('[data-testid="verdict"]', (node) => {
  const box = node.getBoundingClientRect();
  return { status: node.dataset.status, text: node.textContent, bottom: box.bottom, top: box.top };
});

test('a first visit shows a GPU verdict on the first screen, at 1366x768 and at 390x844', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page, failed } = await visit(viewport);
    const verdict = await verdictOf(page);
    assert.match(verdict.status, /^(fits|does_not_fit|starts|refuses)$/, `${viewport.width}: ${verdict.text}`);
    assert.match(verdict.text, /H100/);
    assert.ok(verdict.top >= 0 && verdict.bottom <= viewport.height, `${viewport.width}px: the verdict ends at ${verdict.bottom}px`);
    // The model and the GPU pickers are on that screen too, above the verdict.
    for (const testid of ['preset', 'framework_config.gpu']) {
      const box = await page.$eval(`[data-testid="${testid}"]`, (node) => node.getBoundingClientRect().toJSON());
      assert.ok(box.bottom <= verdict.top, `${testid} above the verdict`);
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);
    assert.deepEqual(failed, []);  // the favicon included: no 404 on a load
    await context.close();
  }
});

test('the GPU is remembered between visits; a link keeps its own', async () => {
  const { context, page } = await visit(DESKTOP);
  await page.selectOption('[data-testid="framework_config.gpu"]', 'RTX 4090 24GB');
  const again = await context.newPage();
  await again.goto(site.url);
  await again.waitForSelector('html[data-ready="true"]');
  assert.equal(await again.inputValue('[data-testid="framework_config.gpu"]'), 'RTX 4090 24GB');
  assert.match((await verdictOf(again)).text, /RTX 4090/);
  // A link that names no GPU reproduces its own scenario: no verdict until a GPU is chosen.
  await again.goto(site.url + hashFor({ preset: 'qwen3-8b' }));
  await again.reload();
  await again.waitForSelector('html[data-ready="true"]');
  assert.equal((await verdictOf(again)).status, 'no_gpu');
  await context.close();
});

test('never a stale answer: a broken paste or a config without hidden_size clears every result panel', async () => {
  const { context, page } = await visit(DESKTOP, hashFor({ preset: 'llama-3.1-8b', framework: 'vllm', framework_config: { gpu: 'H100' } }));
  assert.equal(await page.isVisible('[data-testid="capacity"]'), true);
  const { hidden_size, ...noHidden } = JSON.parse(await page.inputValue('[data-testid="config-text"]'));
  for (const text of ['{"hidden_size": 40', JSON.stringify(noHidden)]) {
    await page.fill('[data-testid="config-text"]', text);
    await chartsDrawn(page);
    assert.equal(await page.isVisible('[data-testid="error"]'), true);
    const shown = await page.evaluate(() => ({
      verdict: document.querySelector('[data-testid="verdict"]').className,
      status: document.querySelector('[data-testid="verdict"]').dataset.status,
      summary: document.querySelector('[data-testid="summary"]').textContent,
      values: [...document.querySelectorAll('[data-testid^="breakdown-"]')].filter((cell) => cell.dataset.value !== undefined).length,
      cells: [...new Set([...document.querySelectorAll('[data-testid^="breakdown-"]')].map((cell) => cell.textContent))],
      segments: document.querySelectorAll('[data-testid="stack"] .segment').length,
      legend: document.querySelectorAll('[data-testid="legend"] li').length,
      charts: document.querySelectorAll('#charts svg').length,
      facts: document.querySelectorAll('#model-facts dd').length,
      capacity: document.querySelector('[data-testid="capacity"]').hidden,
      solver: document.querySelector('[data-testid="solver"]').hidden,
      pin: document.querySelector('[data-testid="compare-add"]').disabled,
      markdown: document.querySelector('[data-testid="export-markdown"]').disabled,
    }));
    assert.deepEqual(shown, { verdict: 'verdict stale', status: '', summary: '', values: 0, cells: ['\u2014'], segments: 0, legend: 0,
      charts: 0, facts: 0, capacity: true, solver: true, pin: true, markdown: true }, text.slice(0, 40));
  }
  await page.selectOption('[data-testid="preset"]', 'qwen3-8b');
  assert.equal((await verdictOf(page)).status, 'starts');
  assert.equal(await page.isDisabled('[data-testid="export-markdown"]'), false);
  await context.close();
});

test('plain words: engine classes only in the "How this was computed" fold, defaults as the API has them, a why under large parts', async () => {
  const { context, page } = await visit(DESKTOP, hashFor({ preset: 'llama-3.1-8b', workload: { mode: 'training' }, framework_config: { gpu: 'H100' } }));
  const visible = await page.evaluate(() => document.querySelector('#results').innerText);
  assert.doesNotMatch(visible, /MemoryEstimator|spec\u2019s tunable|framework default/);
  assert.match(await page.textContent('[data-testid="estimator"]'), /TransformersMemoryEstimator/);
  // The page's training precision is the API's default, and says so by sending nothing.
  assert.equal(await page.inputValue('[data-testid="framework_config.training_precision"]'), 'mixed');
  assert.equal(await page.inputValue('[data-testid="framework_config.optimizer_type"]'), 'adamw');
  // 89.75 GiB of optimizer states, and why: AdamW's 8 bytes a parameter and the step's 4.
  const why = await page.textContent('[data-testid="why-optimizer_states"]');
  assert.match(why, /AdamW.*8 bytes per trainable parameter.*\+ 4 bytes of the step's temporary.*8\.03B/);
  assert.match(await page.textContent('[data-testid="why-model_weights"]'), /8\.03B parameters on this GPU × 4 bytes: mixed precision/);
  // Small parts keep their figure without a line of words.
  assert.equal(await page.isHidden('[data-testid="why-safety_margin"]'), true);
  // DeepSpeed's CPU memory without offload says why.
  await page.selectOption('[data-testid="framework"]', 'deepspeed');
  assert.match(await page.textContent('[data-testid="why-cpu_memory"]'), /no offload/);
  await context.close();
});

test('training that does not fit leads with the ways that would (checkpointing), before more GPUs', async () => {
  const { context, page } = await visit(DESKTOP, hashFor({ preset: 'llama-3.1-8b', workload: { mode: 'training', sequence_length: 2048, batch_size: 2 },
    framework_config: { gpu: 'RTX 4090', fine_tuning: 'lora' } }));
  assert.equal((await verdictOf(page)).status, 'does_not_fit');
  const steps = await page.$$eval('[data-testid="next-steps"] li', (items) => items.map((item) => item.textContent));
  assert.match(steps[0], /^Would fit with gradient checkpointing: \d+\.\d\d GiB per GPU$/);
  assert.ok(!steps.some((step) => /with LoRA \(rank 16/.test(step)), 'LoRA is already the scenario');
  const stepsBox = await page.$eval('[data-testid="next-steps"]', (node) => node.getBoundingClientRect().top);
  const solverBox = await page.$eval('[data-testid="solver"]', (node) => node.getBoundingClientRect().top);
  assert.ok(stepsBox < solverBox);
  await context.close();
});

test('comparison: three scenarios stay inside the window, named by model, with GPU, engine, verdict and capacity, kept in the link', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await visit(viewport, hashFor({ preset: 'llama-3.1-8b', framework: 'vllm', workload: { max_model_len: 8192 }, framework_config: { gpu: 'L4' } }));
    await page.click('[data-testid="compare-add"]');
    await page.selectOption('[data-testid="preset"]', 'qwen3-8b');
    await page.click('[data-testid="compare-add"]');
    await page.selectOption('[data-testid="framework_config.gpu"]', 'A100 80GB');
    await page.click('[data-testid="compare-add"]');
    await chartsDrawn(page);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, `${viewport.width}px`);
    const head = await page.textContent('[data-testid="compare"] thead');
    assert.match(head, /1\. meta-llama\/Llama-3\.1-8B.*2\. Qwen\/Qwen3-8B.*3\. Qwen\/Qwen3-8B/);
    const cells = async (key) => page.$$eval(`[data-testid="compare-${key}"]`, (nodes) => nodes.map((node) => node.textContent));
    assert.deepEqual((await cells('gpu')).map((text) => text.split(' (')[0]), ['L4', 'L4', 'A100 80GB']);
    assert.deepEqual(await cells('verdict'), ['starts', 'starts', 'starts']);
    assert.ok((await cells('tokens')).every((text) => /^[\d,]+ tokens, \d+\.\d\dx$/.test(text)), String(await cells('tokens')));
    assert.ok((await cells('engine')).every((text) => text.startsWith('vLLM inference')));
    // The link carries the three; opened anew, they come back answered by the engine.
    await page.waitForFunction(() => decodeURIComponent(location.hash).includes('"compare"'));
    const link = page.url();
    const fresh = await context.newPage();
    await fresh.goto(link);
    await fresh.waitForSelector('html[data-ready="true"]');
    assert.deepEqual(await fresh.$$eval('[data-testid="compare-total"]', (nodes) => nodes.map((node) => node.textContent)),
      await page.$$eval('[data-testid="compare-total"]', (nodes) => nodes.map((node) => node.textContent)));
    assert.equal(await fresh.isHidden('[data-testid="link-error"]'), true);
    await context.close();
  }
});

test('charts: a unit on the axis, the setting marked, values on hover and by keyboard, ticks inside, and a legend for the bar', async () => {
  const { context, page } = await visit(DESKTOP);
  const chart = '[data-testid="chart-context"]';
  assert.equal(await page.textContent(`${chart} [data-testid="chart-unit"]`), 'GiB');
  const marker = await page.$eval(`${chart} [data-testid="chart-current"]`, (line) => [line.getAttribute('x1'), line.getAttribute('x2')]);
  assert.equal(marker[0], marker[1]);
  // Every label lies inside the drawing (no "128k" cut to "128l").
  const outside = await page.$$eval('#charts svg', (svgs) => svgs.flatMap((svg) => {
    const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
    return [...svg.querySelectorAll('text')].filter((text) => {
      const box = text.getBBox();
      return box.x < 0 || box.y < 0 || box.x + box.width > width + 0.5 || box.y + box.height > height + 0.5;
    }).map((text) => text.textContent);
  }));
  assert.deepEqual(outside, []);
  const readout = `${chart} + [data-testid="chart-readout"]`;
  const box = await page.$eval(chart, (node) => node.getBoundingClientRect().toJSON());
  await page.hover(chart, { position: { x: box.width - 22, y: box.height / 2 } });
  assert.match(await page.textContent(readout), /^sequence length \(tokens\) [\d,]+: [\d.]+ GiB per GPU/);
  await page.focus(chart);
  await page.keyboard.press('Home');
  assert.match(await page.textContent(readout), /^sequence length \(tokens\) 512: /);
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent(readout), /^sequence length \(tokens\) 1,024: /);
  const legend = await page.$$eval('[data-testid="legend"] li', (items) => items.map((item) => item.textContent));
  const segments = await page.$$eval('[data-testid="stack"] .segment', (nodes) => nodes.length);
  assert.equal(legend.length, segments);
  assert.match(legend[0], /^Model weights \d+\.\d\d$/);
  await context.close();
});

test('the GPU catalogue: 40 cards or more, by kind, AMD and Apple among them, each with the memory the engine sees', async () => {
  const { context, page } = await visit(DESKTOP);
  const groups = await page.$$eval('[data-testid="framework_config.gpu"] optgroup', (nodes) =>
    Object.fromEntries(nodes.map((group) => [group.label, group.querySelectorAll('option').length])));
  assert.ok(Object.values(groups).reduce((a, b) => a + b, 0) >= 40, JSON.stringify(groups));
  assert.ok(groups.AMD >= 3 && groups['Apple silicon (unified memory)'] >= 3, JSON.stringify(groups));
  await page.selectOption('[data-testid="framework_config.gpu"]', 'RTX 4060 Ti 16GB');
  assert.match((await verdictOf(page)).text, /RTX 4060 Ti 16GB.*15\.\d\d GiB/);
  await context.close();
});

test('preset ids name their model; the old ids still open their links', async () => {
  const { context, page } = await visit(DESKTOP, hashFor({ preset: 'deepseek', framework_config: { gpu: 'H200' } }));
  assert.equal(await page.inputValue('[data-testid="preset"]'), 'deepseek-v3');
  assert.equal(await page.isHidden('[data-testid="link-error"]'), true);
  const ids = await page.$$eval('[data-testid="preset"] option', (options) => options.map((option) => option.value));
  for (const id of ['deepseek-v3', 'qwen3-30b-a3b', 'phi-2']) assert.ok(ids.includes(id), id);
  for (const id of ['deepseek', 'qwen-moe', 'phi']) assert.ok(!ids.includes(id), id);
  await context.close();
});

test('exports carry the scenario, the GPU, the verdict and the capacity', async () => {
  const { context, page } = await visit(DESKTOP, hashFor({ preset: 'qwen3-8b', framework: 'vllm', workload: { max_model_len: 16384 }, framework_config: { gpu: 'L4' } }),
    { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.click('[data-testid="export-markdown"]');
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  const tokens = await page.textContent('[data-testid="capacity-tokens"]');
  assert.match(markdown, /^\*\*Qwen\/Qwen3-8B\*\* on L4 \(22\.06 GiB\)/);
  assert.match(markdown, /- Scenario: vLLM inference, max_model_len 16,384/);
  assert.ok(markdown.includes(`- Verdict: ${await page.textContent('[data-testid="verdict"]')}`));
  assert.ok(markdown.includes(`- Capacity: ${tokens.replace(' tokens', '')} tokens of KV cache`), markdown);
  await context.close();
});

test('embed.html: the one-tag component and a live iframe, each with the page\'s verdict', async () => {
  const { context, page, failed } = await visit(DESKTOP, hashFor({ preset: 'llama-3.1-8b', framework: 'vllm', workload: { max_num_seqs: 64, max_model_len: 8192 },
    framework_config: { gpu: 'H100' } }));
  const pageVerdict = await page.textContent('[data-testid="verdict"]');
  const embed = await context.newPage();
  const embedFailed = [];
  embed.on('response', (response) => { if (response.status() >= 400) embedFailed.push(response.url()); });
  await embed.goto(site.url + 'embed.html');
  // One <script> tag in the page's source: the element's own loader, which brings the rest.
  const source = await (await fetch(site.url + 'embed.html')).text();
  assert.deepEqual(source.match(/<script[^>]*>/g), ['<script src="llm-memory-calculator.js" defer>']);
  const component = embed.locator('llm-memory-calculator');
  await component.locator('[part="verdict"]').waitFor();
  assert.equal(await component.locator('[part="verdict"]').textContent(), pageVerdict);
  const frame = embed.frameLocator('[data-testid="embed-iframe"]');
  await frame.locator('html[data-ready="true"]').waitFor({ state: 'attached' });
  assert.match(await frame.locator('[data-testid="verdict"]').textContent(), /^vLLM starts on 1 x L4 24GB/);
  assert.deepEqual([...failed, ...embedFailed], []);
  await context.close();
});
