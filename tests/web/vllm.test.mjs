// vLLM as a person sees it: the scenarios that gave two answers before each give one, vLLM's,
// on the page, in the CLI and in the component.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chartsDrawn, hashFor, startPage } from '../support/browser.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

function cli(request) {
  const out = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--request', '-'],
    { input: JSON.stringify(request), encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

/** The page on `request` (a preset's id instead of its config): what it shows of the verdict. */
async function shown(request) {
  const page = await site.open(hashFor(request));
  const verdicts = await page.$$eval('[data-testid="verdict"]', (nodes) => nodes.map((n) => ({ status: n.dataset.status, text: n.textContent })));
  const everything = await page.textContent('#results');
  const result = {
    verdicts, everything,
    total: Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')),
    answer: async (field) => page.getAttribute(`[data-testid="solver-${field}"]`, 'data-value'),
    chart: async (key) => {
      await chartsDrawn(page);
      return JSON.parse(await page.getAttribute(`[data-testid="chart-${key}"]`, 'data-points'));
    },
    page,
  };
  assert.deepEqual(page.problems, []);
  return result;
}

const llama8b = { preset: 'llama-3.1-8b', framework: 'vllm' };

test('Llama-3.1-8B at 32k on an H100: vLLM starts, and nothing on the page says otherwise', async () => {
  const request = { ...llama8b, workload: { max_model_len: 32768 }, framework_config: { gpu: 'H100', vllm_version: '0.11.0' } };
  const page = await shown(request);
  assert.equal(page.verdicts.length, 1);
  assert.equal(page.verdicts[0].status, 'starts');
  // The llm-d log of this setup under 0.11 (tests/data/vllm: llmd-llama31-8b-h100) has 51.38 GiB
  // for the KV cache: 26,306 blocks of 2 MiB, 420,896 tokens.
  const tokens = Number(page.verdicts[0].text.match(/([\d,]+) tokens of KV cache/)[1].replace(/,/g, ''));
  assert.ok(Math.abs(tokens - 420896) / 420896 < 0.01, String(tokens));
  assert.match(page.verdicts[0].text, /12\.\d\d of your 1,024 sequences at 32,768 tokens at once, the rest wait\.$/);
  assert.doesNotMatch(page.everything, /does not fit|Does not fit|would refuse/);
  // What vLLM holds: its budget (0.9 of 79.19 GiB) and the graphs captured outside it.
  assert.ok(page.total < 79.19 && page.total > 71, String(page.total));
  assert.equal(await page.answer('workload.max_model_len'), '131072');
  // The chart plots what vLLM serves, not totals: full-length requests at once, and every length starts.
  const context = await page.chart('context');
  assert.ok(context.every(([, requests]) => requests < 1000));
  const api = cli({ ...request, preset: undefined, config: corpusConfig('llama-3.1-8b.json') });
  assert.equal(api.verdict.summary, page.verdicts[0].text);
  await page.page.close();
});

test('Llama-3.1-70B on 2, 4 and 8 H100s: one verdict each, the same as the CLI\'s', async () => {
  for (const [tp, length, status] of [[2, 4096, 'refuses'], [4, 4096, 'starts'], [8, 32768, 'starts']]) {
    const request = { preset: 'llama-3.1-70b-instruct', framework: 'vllm', workload: { max_model_len: length },
      parallelism: { tensor_parallel_size: tp }, framework_config: { gpu: 'H100', vllm_version: '0.11.0' } };
    const page = await shown(request);
    assert.equal(page.verdicts.length, 1);
    assert.equal(page.verdicts[0].status, status, `TP ${tp} at ${length}`);
    const api = cli({ ...request, preset: undefined, config: corpusConfig('llama-3.1-70b-instruct.json') });
    assert.equal(api.verdict.status, status);
    assert.equal(api.verdict.summary, page.verdicts[0].text);
    if (status === 'refuses') {
      // The fewest GPUs that start, which the solver found where the verdict flips.
      assert.equal(await page.answer('parallelism.tensor_parallel_size'), '4');
      assert.match(page.verdicts[0].text, /To serve at least one request with the models's max seq len \(4096\)/);
    }
    await page.page.close();
  }
});

test('Qwen2.5-7B on 14 GPUs: vLLM refuses the size, in its words, and the solver never suggests it', async () => {
  const request = { preset: 'qwen2.5-7b', framework: 'vllm', parallelism: { tensor_parallel_size: 14 },
    framework_config: { gpu: 'RTX 4090' } };
  const page = await shown(request);
  assert.equal(page.verdicts.length, 1);
  assert.equal(page.verdicts[0].status, 'refuses');
  assert.match(page.verdicts[0].text, /: 152064 is not divisible by 14$/);
  const tp = Number(await page.answer('parallelism.tensor_parallel_size'));
  assert.ok([1, 2, 4, 7, 28].includes(tp), String(tp));  // sizes vLLM accepts for 28 heads and 4 KV heads
  assert.notEqual(tp, 14);
  await page.page.close();
});

test('max_model_len 1,000,000 for a 131,072-token model: refused as vLLM refuses it', async () => {
  const page = await shown({ ...llama8b, workload: { max_model_len: 1000000 }, framework_config: { gpu: 'H100' } });
  assert.equal(page.verdicts.length, 1);
  assert.equal(page.verdicts[0].status, 'refuses');
  assert.match(page.verdicts[0].text, /User-specified max_model_len \(1000000\) is greater than the derived max_model_len/);
  assert.match(page.verdicts[0].text, /VLLM_ALLOW_LONG_MAX_MODEL_LEN=1/);
  await page.page.close();
});

test('without a GPU: the GPU it needs to start, and the one that holds every sequence', async () => {
  const page = await shown({ ...llama8b, workload: { max_model_len: 32768 } });
  assert.equal(page.verdicts[0].status, 'no_gpu');
  assert.match(page.verdicts[0].text, /^vLLM needs a GPU of at least \d+\.\d\d GiB to start with max_model_len 32,768, and [\d.]+ GiB to hold all 256 sequences/);
  assert.match(await page.page.textContent('[data-testid="capacity-to-start"]'), /GiB$/);
  await page.page.close();
});

test('the embed demo: the component shows the page\'s verdict and capacity for the same scenario', async () => {
  const embed = await site.browser.newPage();
  const problems = [];
  embed.on('pageerror', (error) => problems.push(error.message));
  await embed.goto(site.url + 'embed.html');
  const verdict = await embed.waitForFunction(() => {
    const root = document.querySelector('llm-memory-calculator')?.shadowRoot;
    const node = root && root.querySelector('.fit');
    return node && { status: node.dataset.status, text: node.textContent, capacity: root.querySelector('.capacity')?.textContent };
  }).then((handle) => handle.jsonValue());
  assert.equal(verdict.status, 'starts');
  assert.match(verdict.capacity, /tokens of KV cache: \d+\.\d\d requests of 8,192 tokens at once/);
  const page = await shown({ ...llama8b, workload: { max_num_seqs: 64, max_model_len: 8192 }, framework_config: { gpu: 'H100' } });
  assert.equal(page.verdicts[0].text, verdict.text);
  assert.deepEqual(problems, []);
  await page.page.close();
  await embed.close();
});

test('the version, not the engine\'s internals: 0.19 takes the first model runner and keeps graphs outside the budget', async () => {
  const page = await site.open(hashFor({ ...llama8b, workload: { max_model_len: 32768 }, framework_config: { gpu: 'H100' } }));
  const settings = async () => page.$$eval('#settings-list li', (items) => Object.fromEntries(items.map((item) => [item.dataset.path, item.textContent])));
  assert.match((await settings())['framework_config.vllm_model_runner'], /"v2"/);
  await page.fill('[data-testid="framework_config.vllm_version"]', '0.19.0');
  assert.match((await settings())['framework_config.vllm_model_runner'], /"v1"/);
  assert.match((await settings())['framework_config.gpu_memory_utilization'], /0\.9 /);
  assert.match(await page.textContent('#capacity-facts'), /CUDA graphs \(on top of the budget\)/);
  await page.fill('[data-testid="framework_config.vllm_version"]', '0.21.0');
  assert.match(await page.textContent('#capacity-facts'), /CUDA graphs \(in the budget\)/);
  await page.fill('[data-testid="framework_config.vllm_version"]', 'eleven');
  assert.match(await page.textContent('[data-testid="error"]'), /^framework_config\.vllm_version: must be a vLLM version/);
  assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-status'), '');
  await page.close();
});
