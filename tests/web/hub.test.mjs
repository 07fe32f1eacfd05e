// Fetch by model id, against a local static server laid out as the hub lays out its files
// (<base>/<org>/<name>/resolve/main/config.json), served from the page's own origin.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startPage } from '../support/browser.mjs';
import { repoRoot } from '../support/scenarios.mjs';

let site;
let root;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'llm-mem-hub-'));
  for (const entry of readdirSync(join(repoRoot, 'web'))) symlinkSync(join(repoRoot, 'web', entry), join(root, entry));
  const model = join(root, 'hub/mistralai/Mistral-7B-v0.1/resolve/main');
  mkdirSync(model, { recursive: true });
  copyFileSync(join(repoRoot, 'tests/data/configs/mistral-7b-v0.1.json'), join(model, 'config.json'));
  site = await startPage(root);
});
after(async () => {
  await site.close();
  rmSync(root, { recursive: true, force: true });
});

async function fetchId(page, id) {
  await page.fill('[data-testid="hub-id"]', id);
  await page.click('[data-testid="hub-fetch"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="hub-status"]').textContent.startsWith('Fetching'));
  return page.textContent('[data-testid="hub-status"]');
}

test('a model id fetches its config.json and replaces the model', async () => {
  const page = await site.open();
  await page.click('.hub summary');  // Hub settings are folded away
  await page.fill('[data-testid="hub-base"]', site.url + 'hub');
  assert.match(await fetchId(page, 'mistralai/Mistral-7B-v0.1'), /^Loaded mistralai\/Mistral-7B-v0.1's config.json/);
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '7,241,732,096');
  assert.equal(await page.inputValue('[data-testid="preset"]'), '');
  // The token never reaches the URL.
  await page.fill('[data-testid="hub-token"]', 'hf_secret');
  await fetchId(page, 'mistralai/Mistral-7B-v0.1');
  await page.waitForTimeout(100);
  assert.doesNotMatch(decodeURIComponent(page.url()), /hf_secret/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('not found, gated, offline and a malformed id each say what happened', async () => {
  const page = await site.open();
  await page.click('.hub summary');  // Hub settings are folded away
  await page.fill('[data-testid="hub-base"]', site.url + 'hub');
  assert.match(await fetchId(page, 'nobody/no-such-model'), /^No config.json for nobody\/no-such-model at .*: check the model id\.$/);
  await page.route('**/hub/meta-llama/Llama-3.1-8B/resolve/main/config.json', (route) => route.fulfill({ status: 401, body: '' }));
  assert.match(await fetchId(page, 'meta-llama/Llama-3.1-8B'), /gated or private: paste an access token/);
  assert.match(await fetchId(page, 'not a model id!'), /is not a model id/);
  await page.context().setOffline(true);
  assert.match(await fetchId(page, 'mistralai/Mistral-7B-v0.1'), /^Could not reach .*: you may be offline/);
  await page.context().setOffline(false);
  // The model shown before is untouched by the failures.
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '8,030,261,248');
  await page.close();
});

test('#6 a config.json over 4 MiB is not read past the limit, whether its length is declared or streamed', async () => {
  // Streamed: the static server sends a file without a length; the page stops reading at the limit.
  const huge = join(root, 'hub/mirror/huge/resolve/main');
  mkdirSync(huge, { recursive: true });
  writeFileSync(join(huge, 'config.json'), '{"padding": "' + 'x'.repeat(8 << 20) + '"}');
  const page = await site.open();
  await page.click('.hub summary');
  await page.fill('[data-testid="hub-base"]', site.url + 'hub');
  assert.equal(await fetchId(page, 'mirror/huge'),
    `mirror/huge's config.json at ${site.url}hub is larger than 4194304 bytes (4 MiB): not a config.json; nothing was loaded.`);
  // Declared: a Content-Length past the limit is refused before the body is read.
  await page.route('**/hub/mirror/declared/resolve/main/config.json',
    (route) => route.fulfill({ status: 200, headers: { 'content-length': String(5 << 20) }, body: Buffer.alloc(5 << 20, 0x20) }));
  assert.match(await fetchId(page, 'mirror/declared'), /^mirror\/declared's config\.json at .* is larger than 4194304 bytes/);
  // The model shown before is untouched.
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), '8,030,261,248');
  await page.close();
});
