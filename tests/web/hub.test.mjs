// Fetch by model id, against a local static server laid out as the hub lays out its files
// (<base>/<org>/<name>/resolve/main/config.json), served from the page's own origin.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
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

// A checkpoint laid out as the hub lays it out, its shards real safetensors headers
// (tests/data/safetensors) followed by garbage of the right length: the page reads each header
// by range requests and nothing else, and the weights become the headers' bytes.
test('the weights\' headers are read by range requests, and the weights are then exactly their bytes', async () => {
  const data = join(repoRoot, 'tests/data/safetensors');
  const manifest = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8'));
  const shard = (name, folder, file) => {
    const entry = manifest.find((e) => e.name === name);
    // The header, then zeros to the file's real size (a sparse file): data no reader should touch.
    writeFileSync(join(folder, file), readFileSync(join(data, `${name}.header`)));
    truncateSync(join(folder, file), entry.file_bytes);
    return entry;
  };
  const single = join(root, 'hub/HelgeS/capp-gpt/resolve/main');
  mkdirSync(single, { recursive: true });
  copyFileSync(join(data, 'capp-gpt-helges.config.json'), join(single, 'config.json'));
  const capp = shard('capp-gpt-helges', single, 'model.safetensors');
  const sharded = join(root, 'hub/MLegkovskis/tiny-llm/resolve/main');
  mkdirSync(sharded, { recursive: true });
  copyFileSync(join(data, 'tiny-llm-cicd-a.config.json'), join(sharded, 'config.json'));
  const a = shard('tiny-llm-cicd-a', sharded, 'model-00001-of-00002.safetensors');
  const b = shard('tiny-llm-cicd-b', sharded, 'model-00002-of-00002.safetensors');
  writeFileSync(join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: a.bytes + b.bytes },
    weight_map: { 'transformer.wte.weight': 'model-00001-of-00002.safetensors', 'lm_head.weight': 'model-00002-of-00002.safetensors' } }));

  const page = await site.open();
  const reads = [];
  const pending = [];
  page.on('response', (response) => {
    if (!response.url().endsWith('.safetensors')) return;
    // A body the page cancels (a host that ignores Range) has none to read: -1.
    pending.push(response.body().then((body) => body.length, () => -1).then((bytes) =>
      reads.push({ range: response.request().headers().range, status: response.status(), bytes })));
  });
  const settled = () => Promise.all(pending);
  await page.click('.hub summary');
  await page.fill('[data-testid="hub-base"]', site.url + 'hub');
  assert.match(await fetchId(page, 'HelgeS/capp-gpt'), /^Loaded/);
  const readHeaders = async () => {
    await page.click('[data-testid="hub-headers"]');
    await page.waitForFunction(() => !document.querySelector('[data-testid="hub-status"]').textContent.startsWith('Reading'));
    return page.textContent('[data-testid="hub-status"]');
  };
  assert.equal(await readHeaders(), `Read 1 safetensors header of HelgeS/capp-gpt: 52 tensors, 236,224 parameters, 944,896 bytes. The weights are now the headers'.`);
  const weights = () => page.getAttribute('[data-testid="breakdown-model_weights"]', 'data-value');
  assert.equal(Number(await weights()), capp.bytes / 2 ** 30);
  assert.equal(await page.textContent('[data-testid="model-weights_from"]'), 'its safetensors headers: 944,896 bytes');
  // Only ranges were asked for and sent: 8 bytes, then the 8 + header bytes.
  await settled();
  assert.deepEqual(reads.map((r) => [r.range, r.status, r.bytes]), [['bytes=0-7', 206, 8], [`bytes=0-${4896 - 1}`, 206, 4896]]);

  // A sharded checkpoint: its index names the shards; their headers add up; a count that differs from the config's is named.
  assert.match(await fetchId(page, 'MLegkovskis/tiny-llm'), /^Loaded/);
  assert.equal(await page.inputValue('[data-testid="checkpoint.tensor_bytes"]'), '');  // another model: the old headers are gone
  assert.match(await readHeaders(), /^Read 2 safetensors headers of MLegkovskis\/tiny-llm: 32 tensors, 817,456 parameters, 3,269,824 bytes/);
  assert.equal(Number(await weights()), (a.bytes + b.bytes) / 2 ** 30);
  assert.match(await page.textContent('[data-testid="warnings"]'), /the checkpoint's headers hold 817456 parameters, config.json's formula counts 811520/);
  await settled();
  assert.ok(reads.every((r) => r.status === 206 && r.bytes < 20000), JSON.stringify(reads));

  // Every real header in tests/data/safetensors as the shards of one checkpoint: each read by
  // range, their bytes summed exactly.
  const every = join(root, 'hub/real/headers/resolve/main');
  mkdirSync(every, { recursive: true });
  copyFileSync(join(data, 'tiny-llm-cicd-a.config.json'), join(every, 'config.json'));
  const weightMap = {};
  manifest.forEach((entry, i) => {
    shard(entry.name, every, `model-${i}.safetensors`);
    weightMap[`tensor${i}`] = `model-${i}.safetensors`;
  });
  writeFileSync(join(every, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  assert.match(await fetchId(page, 'real/headers'), /^Loaded/);
  const total = manifest.reduce((sum, entry) => sum + entry.bytes, 0);
  assert.match(await readHeaders(), new RegExp(`^Read ${manifest.length} safetensors headers of real/headers: `));
  assert.equal(Number(await weights()), total / 2 ** 30);
  assert.equal(Number(await page.inputValue('[data-testid="checkpoint.tensor_bytes"]')), total);

  // A host that ignores Range is refused rather than read whole.
  await page.route('**/hub/HelgeS/capp-gpt/resolve/main/model.safetensors', (route) => route.fulfill({ status: 200, body: Buffer.alloc(1 << 20) }));
  assert.match(await fetchId(page, 'HelgeS/capp-gpt'), /^Loaded/);
  assert.match(await readHeaders(), /^Could not read HelgeS\/capp-gpt's safetensors headers at .* \(.*does not answer range requests\); the weights stay config.json's\.$/);
  await settled();
  assert.deepEqual(page.problems, []);
  await page.close();
});
