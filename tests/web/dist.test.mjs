// dist/, the static site: under a sub-path of a plain static server, from file://, offline
// after the first visit, and the <llm-memory-calculator> element on a foreign, hostile page.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createCalculator } from '../../wasm/index.mjs';
import { startPage } from '../support/browser.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

const dist = join(repoRoot, 'dist');
let site;
let root;
before(async () => {
  // https://host/docs/tools/mem/ -> dist/, next to a documentation page of someone else's.
  root = mkdtempSync(join(tmpdir(), 'llm-mem-dist-'));
  mkdirSync(join(root, 'docs/tools'), { recursive: true });
  symlinkSync(dist, join(root, 'docs/tools/mem'));
  writeFileSync(join(root, 'docs/tools/mem-host.html'), `<!doctype html>
<html><head><meta charset="utf-8"><title>Someone's docs</title>
<style>
  * { font-size: 40px !important; color: rgb(255, 0, 0) !important; }
  table { display: none !important; }
  p { margin: 3px !important; }
</style>
<script src="mem/gen/llm-mem.js"></script>
<script>
  const original = window.createLlmMem;
  window.engineLoads = 0;
  window.createLlmMem = (...args) => { window.engineLoads += 1; return original(...args); };
</script>
<script src="mem/gen/presets.js"></script>
<script src="mem/component.js"></script>
</head><body>
<p id="host-text">The host's own paragraph.</p>
<llm-memory-calculator id="one" model="llama-3.1-8b" batch="2" context="4096"></llm-memory-calculator>
<llm-memory-calculator id="two" model="mistral-7b-v0.1" batch="2" context="4096"></llm-memory-calculator>
<llm-memory-calculator id="three" config-url="models/qwen/config.json" framework="vllm" gpu="22.06" compact></llm-memory-calculator>
</body></html>`);
  writeFileSync(join(root, 'docs/tools/one-tag.html'), `<!doctype html>
<html><head><meta charset="utf-8"><title>One tag</title>
<script src="mem/llm-memory-calculator.js" defer></script>
</head><body>
<llm-memory-calculator model="qwen-moe" framework="vllm" gpu="H100" context="8192" compact></llm-memory-calculator>
</body></html>`);
  mkdirSync(join(root, 'docs/tools/models/qwen'), { recursive: true });
  symlinkSync(join(repoRoot, 'tests/data/configs/qwen2.5-7b.json'), join(root, 'docs/tools/models/qwen/config.json'));
  mkdirSync(join(root, 'docs/tools/models/huge'), { recursive: true });
  writeFileSync(join(root, 'docs/tools/models/huge/config.json'), '{"padding": "' + 'x'.repeat(5 << 20) + '"}');
  site = await startPage(root);
});
after(async () => {
  await site.close();
  rmSync(root, { recursive: true, force: true });
});

async function openAt(url) {
  const page = await site.browser.newPage();
  const failed = [];
  page.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`); });
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(error.message));
  page.failed = failed;
  await page.goto(url);
  return page;
}

test('dist/ works under a sub-path of a plain static server, every URL relative', async () => {
  const page = await openAt(site.url + 'docs/tools/mem/');
  await page.waitForSelector('html[data-ready="true"]');
  assert.ok(Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')) > 0);
  assert.match(await page.textContent('[data-testid="version"]'), /^v\d+\.\d+\.\d+$/);
  assert.deepEqual(page.failed, []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('dist/ opened straight from disk (file://)', async () => {
  const page = await openAt(pathToFileURL(join(dist, 'index.html')).href);
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '8,030,261,248');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('one tag under a sub-path, and dist/embed.html from disk: the element loads what it needs relative to itself', async () => {
  const page = await openAt(site.url + 'docs/tools/one-tag.html');
  const verdict = page.locator('llm-memory-calculator [part="verdict"]');
  await verdict.waitFor();
  // An old preset id and a catalogue name: Qwen3-30B-A3B served by vLLM on an H100.
  assert.match(await verdict.textContent(), /^vLLM starts on 1 x H100 80GB SXM/);
  assert.match(await page.textContent('llm-memory-calculator >> .model'), /Qwen\/Qwen3-30B-A3B/);
  assert.deepEqual(page.failed, []);
  assert.deepEqual(page.problems, []);
  await page.close();
  const disk = await openAt(pathToFileURL(join(dist, 'embed.html')).href);
  await disk.locator('llm-memory-calculator [part="verdict"]').waitFor();
  assert.match(await disk.locator('llm-memory-calculator [part="verdict"]').textContent(), /^vLLM starts on 1 x H100/);
  assert.deepEqual(disk.problems, []);
  await disk.close();
});

test('after the first visit the page reloads with the network cut', async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await page.goto(site.url + 'docs/tools/mem/');
  await page.waitForSelector('html[data-offline-ready="true"]');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();  // now under the worker's control, which caches what the page loads
  await page.waitForSelector('html[data-ready="true"]');
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  assert.ok(Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')) > 0);
  await page.fill('[data-testid="workload.batch_size"]', '4');
  assert.ok(Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value')) > 0);
  await context.close();
});

test('two components on a hostile page: their own models, styles isolated both ways, one engine', async () => {
  const page = await openAt(site.url + 'docs/tools/mem-host.html');
  const total = (id) => page.waitForFunction((which) => {
    const cell = document.getElementById(which).shadowRoot.querySelector('.total');
    return cell && Number(cell.dataset.value);
  }, id).then((handle) => handle.jsonValue());
  const calc = await createCalculator();
  const expected = (file) => calc.estimate({ config: corpusConfig(file), workload: { batch_size: 2, sequence_length: 4096 } }).breakdown.total;
  assert.equal(await total('one'), expected('llama-3.1-8b.json'));
  assert.equal(await total('two'), expected('mistral-7b-v0.1.json'));
  // The host's CSS does not reach inside: the component's tables show, at its own size.
  const inside = await page.evaluate(() => {
    const shadow = document.getElementById('one').shadowRoot;
    return { table: getComputedStyle(shadow.querySelector('table')).display,
             size: getComputedStyle(shadow.querySelector('.total')).fontSize };
  });
  assert.notEqual(inside.table, 'none');
  assert.notEqual(inside.size, '40px');
  // ... and the component's CSS does not reach out (its p { margin: 0.2rem 0 } stays inside).
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('host-text')).marginTop), '3px');
  assert.equal(await page.evaluate(() => window.engineLoads), 1);
  // A config by URL, served by vLLM on an L4, compact: the total and the verdict, no table.
  const expectedThree = calc.estimate({ config: corpusConfig('qwen2.5-7b.json'), framework: 'vllm',
                                        framework_config: { gpu_memory_gib: 22.06 } });
  assert.equal(await total('three'), expectedThree.breakdown.total);
  const three = await page.evaluate(() => {
    const shadow = document.getElementById('three').shadowRoot;
    return { table: shadow.querySelector('table') !== null, verdict: shadow.querySelector('.fit').textContent };
  });
  assert.equal(three.table, false);
  assert.equal(three.verdict, expectedThree.verdict.summary);
  assert.deepEqual(page.failed, []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the component bounds its config-url like every door and coerces no attribute', async () => {
  const page = await openAt(site.url + 'docs/tools/mem-host.html');
  const errorOf = (attributes) => page.evaluate(async (attrs) => {
    const element = document.createElement('llm-memory-calculator');
    for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
    document.body.append(element);
    for (let i = 0; i < 200 && !element.shadowRoot.querySelector('.error, .total'); i++) await new Promise((r) => setTimeout(r, 25));
    const error = element.shadowRoot.querySelector('.error');
    return error ? error.textContent : 'no error';
  }, attributes);
  assert.equal(await errorOf({ 'config-url': 'models/huge/config.json' }),
    'config-url: larger than 4194304 bytes (4 MiB): not a config.json');
  assert.equal(await errorOf({ model: 'llama-3.1-8b', batch: '0x40' }), 'workload.batch_size: must be a positive integer, got "0x40"');
  assert.deepEqual(page.problems, []);
  await page.close();
});
