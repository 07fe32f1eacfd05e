// Which engine build the page loads (wasm/loader.js): over http the .wasm, compiled as it
// streams, and never the single file; from file:// the single file; and if the .wasm cannot be
// had, the single file after all, with the same answer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { startPage } from '../support/browser.mjs';
import { repoRoot } from '../support/scenarios.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

async function load(url, prepare = async () => {}) {
  const page = await site.browser.newPage();
  const requested = [];
  const problems = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname.split('/').pop()));
  page.on('pageerror', (error) => problems.push(error.message));
  await prepare(page);
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  const total = Number(await page.getAttribute('[data-testid="breakdown-total"]', 'data-value'));
  const marks = await page.evaluate(() => ['engine-compiled', 'engine-ready', 'first-estimate', 'first-breakdown']
    .map((name) => [name, performance.getEntriesByName(name).length > 0]));
  await page.close();
  return { requested, problems, total, marks: Object.fromEntries(marks) };
}

test('over http the page compiles the streamed .wasm and never fetches the single file', async () => {
  const { requested, problems, total, marks } = await load(site.url);
  assert.ok(requested.includes('llm-mem.wasm'));
  assert.ok(requested.includes('llm-mem-stream.js'));
  assert.ok(!requested.includes('llm-mem-single.js'));
  assert.ok(total > 0);
  assert.deepEqual(marks, { 'engine-compiled': true, 'engine-ready': true, 'first-estimate': true, 'first-breakdown': true });
  assert.deepEqual(problems, []);
});

test('from file:// the page loads the single file, and answers the same', async () => {
  const http = await load(site.url);
  const disk = await load(pathToFileURL(join(repoRoot, 'web/index.html')).href);
  assert.ok(disk.requested.includes('llm-mem-single.js'));
  assert.ok(!disk.requested.includes('llm-mem.wasm'));
  assert.equal(disk.total, http.total);
  assert.deepEqual(disk.problems, []);
});

test('a .wasm the host will not serve falls back to the single file, with the same answer', async () => {
  const http = await load(site.url);
  const broken = await load(site.url, (page) => page.route('**/llm-mem.wasm', (route) => route.fulfill({ status: 404, body: '' })));
  assert.ok(broken.requested.includes('llm-mem-single.js'));
  assert.equal(broken.total, http.total);
  assert.deepEqual(broken.problems, []);
  // Served with the wrong type, it is compiled from its bytes instead: no single file needed.
  const mistyped = await load(site.url, (page) => page.route('**/llm-mem.wasm', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
  }));
  assert.ok(!mistyped.requested.includes('llm-mem-single.js'));
  assert.equal(mistyped.total, http.total);
});

// The first visit's answer is built with the site (scripts/build-first-answer.mjs). Hold the
// engine back, and the page must still answer that scenario, with the numbers the engine gives
// once it is let through; any other scenario waits for the engine, and so does an input.
async function heldEngine(hash = '') {
  const page = await site.browser.newPage();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/llm-mem.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(site.url + hash);
  await page.waitForFunction(() => performance.getEntriesByName('page-start').length > 0);
  return { page, release };
}
const shown = (page) => page.evaluate(() => ({
  verdict: document.querySelector('[data-testid="verdict"]').textContent,
  rows: [...document.querySelectorAll('#breakdown-rows tr:not([hidden])')].map((row) => row.textContent),
  total: document.querySelector('[data-testid="breakdown-total"]').dataset.value,
  exportsEnabled: !document.querySelector('[data-testid="export-json"]').disabled,
}));

test('a first visit is answered before the engine is ready, with the numbers the engine then gives', async () => {
  const { page, release } = await heldEngine();
  const before = await shown(page);
  assert.equal(await page.evaluate(() => performance.getEntriesByName('engine-ready').length), 0, 'the engine was held');
  assert.match(before.verdict, /^Fits on 1 x H100 80GB SXM/);
  assert.ok(Number(before.total) > 0 && before.rows.length >= 5, JSON.stringify(before));
  assert.equal(before.exportsEnabled, true);
  release();
  await page.waitForSelector('html[data-ready="true"]');
  assert.deepEqual(await shown(page), before);
  await page.close();
});

test('before the engine is ready, another scenario, or an input, shows no answer rather than a stale one', async () => {
  const link = await heldEngine('#' + encodeURIComponent(JSON.stringify({ preset: 'qwen3-8b', framework_config: { gpu: 'H100 80GB SXM' } })));
  assert.equal((await shown(link.page)).verdict, 'The calculator is still loading: the answer follows in a moment.');
  link.release();
  await link.page.waitForSelector('html[data-ready="true"]');
  assert.match((await shown(link.page)).verdict, /H100/);
  await link.page.close();

  const typed = await heldEngine();
  assert.match((await shown(typed.page)).verdict, /^Fits/);
  await typed.page.fill('[data-testid="workload.batch_size"]', '64');
  const meanwhile = await shown(typed.page);
  assert.equal(meanwhile.verdict, 'The calculator is still loading: the answer follows in a moment.');
  assert.equal(meanwhile.total, undefined);
  assert.equal(meanwhile.exportsEnabled, false);
  typed.release();
  await typed.page.waitForSelector('html[data-ready="true"]');
  assert.match((await shown(typed.page)).verdict, /H100/);
  assert.equal(await typed.page.inputValue('[data-testid="workload.batch_size"]'), '64');
  await typed.page.close();
});
