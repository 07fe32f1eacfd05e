// A checkpoint's tensors from its safetensors headers (llmmem/checkpoint.hpp): 31 real headers
// (tests/data/safetensors, sources there) read by the JS API and by the CLI, which reads a
// file's header and nothing of its data; and headers that lie, refused with their reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { repoRoot } from '../support/scenarios.mjs';

const calc = await createCalculator();
const folder = join(repoRoot, 'tests/data/safetensors');
const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
const headerBytes = (name) => new Uint8Array(readFileSync(join(folder, `${name}.header`)));

test('each real header gives the tensors, elements and bytes its file holds', () => {
  assert.ok(manifest.length >= 20);
  for (const entry of manifest) {
    const result = calc.readSafetensorsHeaders([{ bytes: headerBytes(entry.name), fileBytes: entry.file_bytes }]);
    assert.deepEqual([result.tensors, result.parameters, result.bytes], [entry.tensors, entry.parameters, entry.bytes], entry.name);
    assert.equal(result.dtypes.reduce((sum, d) => sum + d.bytes, 0), result.bytes, entry.name);
  }
  // A sharded checkpoint: the headers summed.
  const [a, b] = manifest;
  const both = calc.readSafetensorsHeaders([{ bytes: headerBytes(a.name) }, { bytes: headerBytes(b.name) }]);
  assert.equal(both.files, 2);
  assert.equal(both.parameters, a.parameters + b.parameters);
});

test('the CLI reads a local file\'s header and none of its data, and an index\'s shards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-mem-st-'));
  try {
    const [a, b] = manifest;
    // The data is garbage of the right length: only the header is read.
    for (const entry of [a, b]) {
      const header = headerBytes(entry.name);
      const file = Buffer.alloc(entry.file_bytes, 0xa5);
      file.set(header, 0);
      writeFileSync(join(dir, `${entry.name}.safetensors`), file);
    }
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({
      metadata: { total_size: a.bytes + b.bytes },
      weight_map: { 'x.weight': `${a.name}.safetensors`, 'y.weight': `${b.name}.safetensors`, 'z.weight': `${a.name}.safetensors` } }));
    const run = (...args) => spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'checkpoint', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const one = run(join(dir, `${a.name}.safetensors`));
    assert.equal(one.status, 0, one.stderr);
    assert.equal(JSON.parse(one.stdout).parameters, a.parameters);
    const index = run(join(dir, 'model.safetensors.index.json'));
    assert.equal(index.status, 0, index.stderr);
    assert.deepEqual([JSON.parse(index.stdout).files, JSON.parse(index.stdout).bytes], [2, a.bytes + b.bytes]);
    // estimate --checkpoint: the weights are the headers' bytes, the config's count compared.
    const config = join(dir, 'config.json');
    writeFileSync(config, readFileSync(join(repoRoot, 'tests/data/configs/gpt2.json')));
    const estimate = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--config', config, '--checkpoint',
      join(dir, `${a.name}.safetensors`)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(estimate.status, 0, estimate.stderr);
    const model = JSON.parse(estimate.stdout).model;
    assert.deepEqual([model.weights_from, model.weight_bytes, model.checkpoint_parameters], ['safetensors headers', a.bytes, a.parameters]);
    // A file cut short of what its header describes.
    writeFileSync(join(dir, 'cut.safetensors'), headerBytes(a.name));
    const cut = run(join(dir, 'cut.safetensors'));
    assert.equal(cut.status, 2);
    assert.match(cut.stderr, /the file has \d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a header that lies is refused, saying how', () => {
  const prefix = (length, rest = []) => {
    const bytes = new Uint8Array(8 + rest.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(length), true);
    bytes.set(rest, 8);
    return bytes;
  };
  const refused = (files) => {
    try {
      calc.readSafetensorsHeaders(files);
    } catch (error) {
      assert.equal(error.name, 'EstimateError');
      return error.message;
    }
    return 'accepted';
  };
  const text = (s) => [...new TextEncoder().encode(s)];
  // A 10 GB header: refused from its length, nothing more read.
  assert.equal(refused([{ bytes: prefix(10e9) }]), 'headers[0]: a header of 10000000000 bytes: safetensors allows at most 100000000');
  // A length past the bytes given, or past the file.
  assert.equal(refused([{ bytes: prefix(100, text('{}')) }]), 'headers[0]: a header of 100 bytes runs past the 10 bytes read');
  assert.equal(refused([{ bytes: prefix(100, text('{}')), fileBytes: 50 }]), 'headers[0]: a header of 100 bytes runs past the end of the 50-byte file');
  assert.equal(refused([{ bytes: new Uint8Array(3) }]), 'headers[0]: 3 bytes: a safetensors file starts with an 8-byte header length');
  // Not JSON, not UTF-8, not an object.
  assert.match(refused([{ bytes: prefix(5, text('{"a":')) }]), /^headers\[0\]: not valid JSON/);
  assert.equal(refused([{ bytes: prefix(2, [0xff, 0xfe]) }]), 'headers[0]: the header is not valid UTF-8');
  // Shapes whose product overflows, a span that does not match its shape.
  const lying = (tensor) => { const s = JSON.stringify({ w: tensor }); return [{ bytes: prefix(s.length, text(s)) }]; };
  assert.match(refused(lying({ dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] })), /more parameters than can be counted/);
  assert.equal(refused(lying({ dtype: 'BF16', shape: [4, 4], data_offsets: [0, 30] })),
    'headers[0].w.data_offsets: [0, 30] must span the 32 bytes its shape and dtype take');
  assert.equal(refused([]), 'headers: must be a non-empty array of files');
});

test('what a config\'s formula does not count is grouped by name: scales, rotary buffers, layers past num_hidden_layers', () => {
  const tensors = { 'model.layers.0.q.weight': [4], 'model.layers.0.q.weight_scale_inv': [1], 'model.layers.0.self_attn.rotary_emb.inv_freq': [2], 'model.layers.2.q.weight': [3] };
  let offset = 0;
  const header = Object.fromEntries(Object.entries(tensors).map(([name, shape]) => {
    const bytes = shape[0] * 4;
    offset += bytes;
    return [name, { dtype: 'F32', shape, data_offsets: [offset - bytes, offset] }];
  }));
  const text = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + text.length);
  new DataView(bytes.buffer).setUint32(0, text.length, true);
  bytes.set(text, 8);
  const groups = (options) => Object.fromEntries(calc.readSafetensorsHeaders([{ bytes }], options).groups.map((g) => [g.group, g.parameters]));
  assert.deepEqual(groups({ numHiddenLayers: 2 }), { weights: 4, 'quantization scales': 1, 'rotary buffers': 2, 'layers past num_hidden_layers': 3 });
  assert.deepEqual(groups(), { weights: 7, 'quantization scales': 1, 'rotary buffers': 2 });
});

test('an index names its shards once each, beside it; anything else is refused', () => {
  assert.deepEqual(calc.safetensorsShards(JSON.stringify({ weight_map: { a: 'm-1.safetensors', b: 'm-2.safetensors', c: 'm-1.safetensors' } })),
    ['m-1.safetensors', 'm-2.safetensors']);
  assert.throws(() => calc.safetensorsShards(JSON.stringify({ weight_map: { a: '../secret.safetensors' } })),
    { message: 'model.safetensors.index.json: its weight_map must name .safetensors files beside it' });
  assert.throws(() => calc.safetensorsShards('{"weight_map":', 'index.json'), /^EstimateError: index\.json: not valid JSON/);
});
