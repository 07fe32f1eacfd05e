// A GGUF file as a person brings it: picked from disk (the File API) or named in a hub repository
// (HTTP range requests). Its header alone is read, never a byte of its weights (garbage here),
// and the page then weighs that model on llama.cpp with the file's own bytes, layer by layer.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { startPage } from '../support/browser.mjs';
import { llamaGguf } from '../support/gguf_models.mjs';
import { repoRoot } from '../support/scenarios.mjs';

const GIB = 2 ** 30;
const calc = await createCalculator();
const { bytes, expected } = llamaGguf({ tokens: 20000 });
const headerBytes = calc.readGgufHeader(bytes, bytes.length).header_bytes;

let site, root;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'llm-mem-gguf-'));
  for (const entry of readdirSync(join(repoRoot, 'web'))) symlinkSync(join(repoRoot, 'web', entry), join(root, entry));
  const repo = join(root, 'hub/someone/tiny-llama-GGUF/resolve/main');
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(repo, 'tiny-llama-Q4_K_M.gguf'), bytes);
  site = await startPage(root);
});
after(async () => {
  await site.close();
  rmSync(root, { recursive: true, force: true });
});

const status = async (page, what) => {
  await page.waitForFunction((name) => {
    const text = document.querySelector('[data-testid="hub-status"]').textContent;
    return text && !text.startsWith('Reading') && text.includes(name);
  }, what);
  return page.textContent('[data-testid="hub-status"]');
};

async function checkWeighed(page) {
  assert.equal(await page.inputValue('[data-testid="framework"]'), 'llama.cpp');
  assert.match(await page.textContent('[data-testid="verdict"]'), /5\/5 layers on the GPU/);
  assert.equal(await page.textContent('[data-testid="model-total_parameters"]'), expected.parameters.toLocaleString('en-US'));
  assert.match(await page.textContent('[data-testid="model-weights_from"]'), /GGUF header/);
  const modelWeights = Number(await page.getAttribute('[data-testid="breakdown-model_weights"]', 'data-value'));
  assert.equal(Math.round(modelWeights * GIB), expected.layers.reduce((a, b) => a + b, 0) + expected.output);
}

test('a GGUF file picked from disk: its header read slice by slice, none of its weights, its model weighed on llama.cpp', async () => {
  const page = await site.open();
  // Every slice the page takes of a file, recorded before the page's scripts run.
  await page.evaluate(() => {
    window.slices = [];
    const slice = Blob.prototype.slice;
    Blob.prototype.slice = function recorded(start, end, type) {
      if (this instanceof File && this.name.endsWith('.gguf')) window.slices.push([start, end]);
      return slice.call(this, start, end, type);
    };
  });
  await page.setInputFiles('[data-testid="gguf-file"]', { name: 'tiny-llama-Q4_K_M.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  const text = await status(page, 'tiny-llama-Q4_K_M.gguf');
  assert.match(text, /^Read tiny-llama-Q4_K_M\.gguf's GGUF header \(llama, Q4_K_M\): 39 tensors of Q4_K, F32, Q6_K/);
  const slices = await page.evaluate(() => window.slices);
  assert.ok(slices.length > 1, JSON.stringify(slices));
  assert.ok(Math.max(...slices.map(([, end]) => end)) <= headerBytes, `read past the header (${headerBytes}): ${JSON.stringify(slices)}`);
  assert.ok(bytes.length > 2 * headerBytes, 'the file has weights to leave unread');
  await checkWeighed(page);
  await page.screenshot({ path: join(repoRoot, 'build/gguf-page.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a GGUF file in a hub repository: its header by range requests, and nothing else', async () => {
  const page = await site.open();
  const ranges = [];
  page.on('request', (request) => { if (request.url().endsWith('.gguf')) ranges.push(request.headers().range); });
  await page.click('.hub summary');
  await page.fill('[data-testid="hub-base"]', site.url + 'hub');
  await page.fill('[data-testid="hub-id"]', 'someone/tiny-llama-GGUF');
  await page.fill('[data-testid="hub-gguf"]', 'tiny-llama-Q4_K_M.gguf');
  await page.click('[data-testid="hub-gguf-read"]');
  assert.match(await status(page, 'tiny-llama-Q4_K_M.gguf'), /GGUF header \(llama, Q4_K_M\)/);
  assert.ok(ranges.length > 1 && ranges.every((r) => /^bytes=\d+-\d+$/.test(r)), JSON.stringify(ranges));
  const ends = ranges.map((r) => Number(/-(\d+)$/.exec(r)[1]));
  assert.ok(Math.max(...ends) < headerBytes, `asked past the header (${headerBytes}): ${JSON.stringify(ranges)}`);
  await checkWeighed(page);
  // A file that is not there, or not a GGUF, says so and leaves the model as it was.
  await page.fill('[data-testid="hub-gguf"]', 'missing.gguf');
  await page.click('[data-testid="hub-gguf-read"]');
  assert.match(await status(page, 'missing.gguf'), /^Could not read missing\.gguf's GGUF header \(.*HTTP 404\)/);
  assert.equal(await page.inputValue('[data-testid="framework"]'), 'llama.cpp');
  assert.deepEqual(page.problems, []);
  await page.close();
});
