// What a person sees: the page in real Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chartsDrawn, hashFor, shownBreakdown, startPage } from '../support/browser.mjs';
import { BREAKDOWN_KEYS, badRequests, corpusConfig, repoRoot } from '../support/scenarios.mjs';
import { join } from 'node:path';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

const total = async (page) => Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value'));
const errorText = async (page) => (await page.isHidden('[data-testid="error"]')) ? '' : page.textContent('[data-testid="error"]');

test('opens on Llama-3.1-8B with a full breakdown before any input', async () => {
  const page = await site.open();
  const shown = await shownBreakdown(page);
  assert.deepEqual(Object.keys(shown).sort(), [...BREAKDOWN_KEYS].sort());
  assert.ok(shown.total.value > 0);
  assert.equal(shown.total.text, shown.total.value.toFixed(2));
  assert.equal(await page.textContent('[data-testid="model-architecture"]'), 'LlamaForCausalLM');
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '8,030,261,248');
  assert.equal(await errorText(page), '');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('changing the workload, parallelism and framework updates the total', async () => {
  const page = await site.open();
  const start = await total(page);
  await page.fill('[data-testid="workload.batch_size"]', '8');
  const bigger = await total(page);
  assert.ok(bigger > start, `${bigger} > ${start}`);
  await page.fill('[data-testid="parallelism.tensor_parallel_size"]', '4');
  assert.ok(await total(page) < bigger);
  await page.selectOption('[data-testid="framework"]', 'vllm');
  assert.match(await page.textContent('[data-testid="summary"]'), /vLLM serving/);
  assert.match(await page.textContent('[data-testid="estimator"]'), /vLLMMemoryEstimator/);
  assert.ok(await page.isVisible('[data-testid="workload.max_num_seqs"]'));
  assert.ok(await page.isHidden('[data-testid="workload.batch_size"]'));
  await page.close();
});

test('a pasted config replaces the model', async () => {
  const page = await site.open();
  await page.fill('[data-testid="config-text"]', JSON.stringify(corpusConfig('mixtral-8x7b-v0.1.json')));
  assert.equal(await page.textContent('[data-testid="model-architecture"]'), 'MixtralForCausalLM');
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '46,702,792,704');
  // Named by what the config says, the spec's class only in the "How this was computed" fold.
  assert.match(await page.textContent('[data-testid="summary"]'), /MixtralForCausalLM \(46\.70B parameters\)/);
  assert.match(await page.textContent('[data-testid="estimator"]'), /MoEMemoryEstimator/);
  assert.equal(await page.inputValue('[data-testid="preset"]'), '');
  await page.close();
});

test('an uploaded config.json replaces the model', async () => {
  const page = await site.open();
  await page.setInputFiles('[data-testid="config-file"]', join(repoRoot, 'tests/data/configs/gpt2.json'));
  await page.waitForFunction(() => document.querySelector('[data-testid="model-architecture"]').textContent === 'GPT2LMHeadModel');
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '124,439,808');
  await page.close();
});

test('bad input shows an error naming the field, and a fix brings the result back', async () => {
  const page = await site.open();
  const good = await total(page);
  const cases = [
    ['config-text', '{"hidden_size": 4096,', /^config: not valid JSON/],
    ...badRequests().filter((bad) => bad.field.startsWith('config.'))
      .map((bad) => ['config-text', JSON.stringify(bad.request.config), new RegExp('^' + bad.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$')]),
    ['parallelism.tensor_parallel_size', '-4', /^parallelism\.tensor_parallel_size: must be a positive integer, got -4$/],
    ['workload.batch_size', 'abc', /^workload\.batch_size: must be a positive integer, got "abc"$/],
    ['params.memory_safety_margin_factor', '0.5', /^memory_safety_margin_factor=0\.5 not in valid range \[0\.0, 0\.2\]$/],
  ];
  await page.click('text=Fragmentation, safety margin and other factors');  // the overhead parameters are folded away
  for (const [testid, value, expected] of cases) {
    await page.fill(`[data-testid="${testid}"]`, value);
    assert.match(await errorText(page), expected, testid);
    assert.equal(await page.getAttribute(`[data-testid="${testid}"]`, 'aria-invalid'), 'true');
    assert.match(await page.textContent(`[data-error-for="${testid.startsWith('config') ? 'config' : testid}"]`), expected);
    // The fix: the field back to a valid value (or the preset back for the config).
    if (testid === 'config-text') await page.selectOption('[data-testid="preset"]', 'llama-3.1-8b');
    else await page.fill(`[data-testid="${testid}"]`, testid.startsWith('params.') ? '' : '1');
    assert.equal(await errorText(page), '');
    assert.equal(await page.getAttribute(`[data-testid="${testid}"]`, 'aria-invalid'), null);
    assert.equal(await total(page), good);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('text from a config is shown as text, never run as HTML', async () => {
  const page = await site.open();
  const config = corpusConfig('llama-3.1-8b.json');
  config.architectures = ['<img src=x onerror="window.__pwned=1">'];
  config.model_type = '<script>window.__pwned=2</script>';
  await page.fill('[data-testid="config-text"]', JSON.stringify(config));
  assert.equal(await page.textContent('[data-testid="model-architecture"]'), config.architectures[0]);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.$$eval('#results img, #results script', (nodes) => nodes.length), 0);
  await page.close();
});

test('the URL carries the scenario: a shared link reproduces the result', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="framework"]', 'vllm');
  await page.fill('[data-testid="parallelism.tensor_parallel_size"]', '2');
  await page.fill('[data-testid="workload.max_num_seqs"]', '64');
  const before = await shownBreakdown(page);
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes('"max_num_seqs":64'));
  const link = page.url();
  const again = await site.open(link.slice(link.indexOf('#')));
  assert.deepEqual(await shownBreakdown(again), before);
  assert.equal(await again.inputValue('[data-testid="workload.max_num_seqs"]'), '64');
  await again.close();
  await page.close();
});

test('a request in the URL sets every control it names', async () => {
  const page = await site.open(hashFor({ config: corpusConfig('gpt2.json'), framework: 'deepspeed',
    parallelism: { data_parallel_size: 4, zero_stage: 2 }, workload: { batch_size: 4, sequence_length: 1024 } }));
  assert.equal(await page.inputValue('[data-testid="framework"]'), 'deepspeed');
  assert.equal(await page.inputValue('[data-testid="parallelism.zero_stage"]'), '2');
  assert.equal(await page.textContent('[data-testid="model-architecture"]'), 'GPT2LMHeadModel');
  assert.ok(Number(await page.getAttribute('[data-testid="breakdown-optimizer_states"]', 'data-value')) > 0);
  await page.close();
});

test('training: sensible defaults, LoRA shrinks the states, the phases and CPU memory are shown', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="workload.mode"]', 'training');
  // Training opens on the contract's defaults (the form is the schema's): AdamW, mixed precision,
  // no checkpointing; LoRA settings stay folded away.
  assert.equal(await page.inputValue('[data-testid="framework_config.optimizer_type"]'), 'adamw');
  assert.equal(await page.inputValue('[data-testid="framework_config.training_precision"]'), 'mixed');
  assert.equal(await page.inputValue('[data-testid="framework_config.gradient_checkpointing"]'), 'none');
  assert.ok(await page.isHidden('[data-testid="framework_config.lora_rank"]'));
  const phases = () => page.textContent('[data-testid="training-phases"]');
  assert.match(await phases(), /8,030,261,248 trainable parameters/);
  const full = await total(page);

  await page.selectOption('[data-testid="framework_config.fine_tuning"]', 'lora');
  assert.ok(await page.isVisible('[data-testid="framework_config.lora_rank"]'));
  await page.fill('[data-testid="framework_config.lora_rank"]', '8');
  // r = 8 on q and v of Llama-3.1-8B: 8 x 32 x ((4096 + 4096) + (4096 + 1024)).
  assert.match(await phases(), /3,407,872 trainable parameters/);
  const lora = await total(page);
  assert.ok(lora < full, `${lora} < ${full}`);
  assert.ok(Number(await page.getAttribute('[data-testid="breakdown-optimizer_states"]', 'data-value')) < 0.05);
  assert.equal(Number(await page.getAttribute('[data-testid="breakdown-gradients"]', 'data-value')) < 0.01, true);

  // A paged optimizer's states live in host memory.
  await page.selectOption('[data-testid="framework_config.fine_tuning"]', 'full');
  await page.selectOption('[data-testid="framework_config.optimizer_type"]', 'paged_adamw_8bit');
  assert.match(await page.textContent('[data-testid="model-cpu_memory"]'), /^14\.96 GiB$/);
  assert.match(await phases(), /^Peak /);
  assert.equal(await errorText(page), '');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('vLLM on a catalogue GPU: gpt-oss-20b\'s MXFP4 experts weigh what that GPU\'s kernel lays out', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="preset"]', 'gpt-oss-20b');
  await page.selectOption('[data-testid="framework"]', 'vllm');
  await page.selectOption('[data-testid="framework_config.gpu"]', '');  // no GPU: the experts as stored
  const weights = async () => Number(await page.getAttribute('[data-testid="breakdown-model_weights"]', 'data-value'));
  const stored = await weights();
  assert.match(await page.textContent('[data-testid="warnings"]'), /MXFP4 experts counted as the checkpoint stores them/);
  // Marlin on an A100 pads the experts (13.72 GiB logged under vLLM 0.19), Triton on an H100
  // adds swizzled scales (13.47 logged); an AMD card has no CUDA capability: as stored again.
  await page.selectOption('[data-testid="framework_config.gpu"]', 'A100 80GB');
  assert.ok(Math.abs(await weights() - 13.67) < 0.01, String(await weights()));
  await page.selectOption('[data-testid="framework_config.gpu"]', 'H100 80GB SXM');
  assert.ok(Math.abs(await weights() - 13.41) < 0.01, String(await weights()));
  assert.doesNotMatch(await page.textContent('[data-testid="warnings"]'), /MXFP4/);
  await page.selectOption('[data-testid="framework_config.gpu"]', 'MI300X 192GB');
  assert.equal(await weights(), stored);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('GPU fit (transformers): a catalogue card, the verdict with the GPU count, and how it could fit', async () => {
  const page = await site.open();
  await page.fill('[data-testid="workload.sequence_length"]', '8192');
  await page.selectOption('[data-testid="framework_config.gpu"]', 'L4 24GB');
  const verdict = () => page.textContent('[data-testid="verdict"]');
  assert.match(await verdict(), /^Fits on 1 x L4 24GB: \d+\.\d\d GiB to spare per GPU/);
  await page.fill('[data-testid="workload.batch_size"]', '16');
  assert.match(await verdict(), /^Does not fit on 1 x L4 24GB: needs [\d.]+ GiB more per GPU/);
  assert.match(await page.getAttribute('[data-testid="solver-parallelism.tensor_parallel_size"]', 'data-value'), /^(2|4|8)$/);
  await page.fill('[data-testid="parallelism.tensor_parallel_size"]', '8');
  assert.match(await verdict(), /^Fits on 8 x L4 24GB/);
  // A memory typed by hand overrides the card's.
  await page.selectOption('[data-testid="framework_config.gpu"]', '');
  await page.fill('[data-testid="framework_config.gpu_memory_gib"]', '30');
  assert.match(await verdict(), /^Fits on 8 x a GPU of 30\.00 GiB/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('solver: its answers fit, and one step past them does not', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="framework_config.gpu"]', 'A100 40GB');
  const answer = async (field) => Number(await page.getAttribute(`[data-testid="solver-${field}"]`, 'data-value'));
  const batch = await answer('workload.batch_size');
  assert.ok(batch >= 1);
  const status = async () => page.getAttribute('[data-testid="verdict"]', 'data-status');
  await page.fill('[data-testid="workload.batch_size"]', String(batch));
  assert.equal(await status(), 'fits');
  await page.fill('[data-testid="workload.batch_size"]', String(batch + 1));
  assert.equal(await status(), 'does_not_fit');
  // At batch 8 the longest sequence is bounded by memory (not by the model's context limit).
  await page.fill('[data-testid="workload.batch_size"]', '8');
  const context = await answer('workload.sequence_length');
  assert.match(await page.textContent('[data-testid="solver-workload.sequence_length"]'), /needs/);
  await page.fill('[data-testid="workload.sequence_length"]', String(context));
  assert.equal(await status(), 'fits');
  await page.fill('[data-testid="workload.sequence_length"]', String(context + 1));
  assert.equal(await status(), 'does_not_fit');
  await page.close();
});

test('training on a 24 GB card: the ways a trainer would make it fit, each evaluated', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="workload.mode"]', 'training');
  await page.selectOption('[data-testid="framework_config.gpu"]', 'RTX 4090 24GB');
  assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-status'), 'does_not_fit');
  const ways = await page.$$eval('[data-testid="alternatives"] li', (items) => items.map((item) => [item.textContent, item.dataset.ok]));
  assert.ok(ways.some(([text, ok]) => /QLoRA with gradient checkpointing/.test(text) && ok === 'true'), JSON.stringify(ways));
  assert.ok(ways.length >= 5);
  await page.close();
});

test('exports: the response as JSON, the breakdown as Markdown, the link', async () => {
  const context = await site.browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
  const page = await context.newPage();
  await page.goto(site.url);
  await page.waitForSelector('html[data-ready="true"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-json"]')]);
  const exported = JSON.parse(await (await import('node:fs/promises')).readFile(await download.path(), 'utf8'));
  assert.equal(exported.response.model.total_parameters, 8030261248);
  assert.equal(exported.response.breakdown.total, Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')));
  await page.click('[data-testid="export-markdown"]');
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  // The scenario, the GPU and the verdict travel with the table.
  assert.match(markdown, /^\*\*meta-llama\/Llama-3\.1-8B\*\* on H100 80GB SXM \(79\.19 GiB\)/);
  assert.match(markdown, /- Model: meta-llama\/Llama-3\.1-8B \(8,030,261,248 parameters\)/);
  assert.match(markdown, /- Scenario: transformers inference, batch 1, sequence 512/);
  assert.ok(markdown.includes(`- Verdict: ${await page.textContent('[data-testid="verdict"]')}`), markdown);
  assert.match(markdown, new RegExp(`\\| Total \\| ${(await page.textContent('[data-testid="breakdown-total"]')).replace('.', '\\.')} \\|`));
  await page.click('[data-testid="export-link"]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());
  await context.close();
});

test('charts: total against context and batch, rising, through the shown total, with the GPU line', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="framework_config.gpu"]', 'H100 80GB SXM');
  await page.fill('[data-testid="workload.sequence_length"]', '8192');
  const points = async (key) => {
    await chartsDrawn(page);
    return JSON.parse(await page.getAttribute(`[data-testid="chart-${key}"]`, 'data-points'));
  };
  const context = await points('context');
  assert.ok(context.length >= 8);
  for (let i = 1; i < context.length; ++i) assert.ok(context[i][1] >= context[i - 1][1]);
  const total = Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value'));
  assert.ok(Math.abs(context.find(([tokens]) => tokens === 8192)[1] - total) < 1e-9);
  const batch = await points('batch');
  assert.equal(batch[0][0], 1);
  assert.ok(batch.at(-1)[1] > batch[0][1]);
  assert.equal(await page.locator('[data-testid="chart-gpu-line"]').count(), 2);
  // The current setting is marked on each chart.
  assert.equal(await page.getAttribute('[data-testid="chart-context"]', 'data-current'), '8192');
  assert.equal(await page.locator('[data-testid="chart-current"]').count(), 2);
  await page.close();
});

test('charts without a GPU mark no point as refused; with one, the points past the GPU are hollow', async () => {
  const page = await site.open();
  await page.selectOption('[data-testid="framework_config.gpu"]', '');
  await page.fill('[data-testid="framework_config.gpu_memory_gib"]', '');
  await chartsDrawn(page);
  await page.waitForSelector('[data-testid="chart-context"]');
  assert.equal(await page.locator('#charts circle.refused').count(), 0);
  await page.selectOption('[data-testid="framework_config.gpu"]', 'L4 24GB');
  await page.fill('[data-testid="workload.sequence_length"]', '8192');
  await chartsDrawn(page);
  assert.ok(await page.locator('#charts circle.refused').count() > 0);
  // The comparison names the verdict in full.
  await page.fill('[data-testid="workload.batch_size"]', '64');
  await page.click('[data-testid="compare-add"]');
  assert.equal(await page.textContent('[data-testid="compare-verdict"]'), 'does not fit');
  await page.close();
});

test('compare: two scenarios side by side, bf16 against fp8 KV cache', async () => {
  const page = await site.open();
  await page.fill('[data-testid="workload.sequence_length"]', '32768');
  await page.click('[data-testid="compare-add"]');
  await page.selectOption('[data-testid="workload.kv_cache_dtype"]', 'fp8');
  await page.click('[data-testid="compare-add"]');
  const kv = await page.$$eval('[data-testid="compare-kv_cache"]', (cells) => cells.map((cell) => Number(cell.textContent)));
  assert.equal(kv.length, 2);
  assert.ok(Math.abs(kv[1] - kv[0] / 2) < 0.01, `fp8 halves the KV cache: ${kv}`);
  assert.match(await page.textContent('[data-testid="compare"] thead'), /meta-llama\/Llama-3\.1-8B/);
  assert.match((await page.$$eval('[data-testid="compare-engine"]', (cells) => cells.map((cell) => cell.textContent)))[1], /KV fp8/);
  await page.click('[data-testid="compare"] thead button >> nth=0');
  assert.equal((await page.$$('[data-testid="compare-kv_cache"]')).length, 1);
  await page.close();
});

test('presets: 40+ real configs, narrowed by typing, picked with Enter', async () => {
  const page = await site.open();
  const all = await page.$$eval('[data-testid="preset"] option', (options) => options.filter((o) => o.value).length);
  assert.ok(all >= 40, `${all} presets`);
  await page.fill('[data-testid="preset-search"]', 'qwen3 235b');
  const shown = await page.$$eval('[data-testid="preset"] option', (options) =>
    options.filter((o) => o.value && !o.hidden).map((o) => o.value));
  assert.deepEqual(shown, ['qwen3-235b-a22b-instruct-2507']);
  await page.press('[data-testid="preset-search"]', 'Enter');
  assert.equal(await page.inputValue('[data-testid="preset"]'), 'qwen3-235b-a22b-instruct-2507');
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '235,093,634,560');
  await page.close();
});

test('a config.json dropped on the model group replaces the model', async () => {
  const page = await site.open();
  const text = JSON.stringify(corpusConfig('qwen2.5-7b.json'));
  const transfer = await page.evaluateHandle((content) => {
    const data = new DataTransfer();
    data.items.add(new File([content], 'config.json', { type: 'application/json' }));
    return data;
  }, text);
  await page.dispatchEvent('[data-testid="config-text"]', 'drop', { dataTransfer: transfer });
  await page.waitForFunction(() => document.querySelector('[data-testid="model-total_parameters"]').textContent === '7,615,616,512');
  assert.equal(await page.inputValue('[data-testid="preset"]'), '');
  await page.close();
});

test('the stacked bar shows each component in proportion to the total', async () => {
  const page = await site.open();
  const shares = await page.$$eval('[data-testid="stack"] .segment', (segments) =>
    segments.map((segment) => [segment.dataset.key, parseFloat(segment.style.width)]));
  const shown = await shownBreakdown(page);
  for (const [key, width] of shares) assert.ok(Math.abs(width - 100 * shown[key].value / shown.total.value) < 0.01, key);
  assert.ok(Math.abs(shares.reduce((sum, [, width]) => sum + width, 0) - 100) < 0.1);
  await page.close();
});

test('the form is the schema: every field has its control, shown where its engine and mode read it', async () => {
  const page = await site.open();
  const fields = await page.evaluate(() => globalThis.LLM_MEM_SCHEMA.fields);
  for (const [framework, mode] of [['transformers', 'inference'], ['transformers', 'training'], ['vllm', 'inference'], ['deepspeed', 'training']]) {
    await page.selectOption('[data-testid="framework"]', framework);
    if (framework === 'transformers') await page.selectOption('[data-testid="workload.mode"]', mode);
    for (const field of fields) {
      const control = page.locator(`[data-testid="${field.path}"]`);
      assert.equal(await control.count(), 1, field.path);
      if (field.when) continue;  // shown with the choice it depends on (LoRA's fields, tested above)
      const reads = field.path === 'workload.mode' ? framework === 'transformers'
        : field.engines.includes(framework) && field.modes.includes(mode);
      const shown = await control.evaluate((node) => !node.closest('.field').hidden);
      assert.equal(shown, reads, `${framework} ${mode}: ${field.path}`);
      if (field.choices && field.path !== 'framework_config.gpu') {
        const options = await control.evaluate((node) => [...node.options].map((o) => o.value).filter(Boolean));
        assert.deepEqual(options.sort(), [...field.choices].sort(), field.path);
      }
    }
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
