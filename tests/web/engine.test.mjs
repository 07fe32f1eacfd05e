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
