// The GGUF reader's contract: a file's header read through as many reads as it takes and never
// a byte of its (garbage) tensor data, its weights to the byte, part by part, its model as a
// config; real published headers read as llama.cpp reads them; malformed ones refused, naming
// where; and the same tensors as @huggingface/gguf reads from the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gguf as hfGguf } from '@huggingface/gguf';
import { createCalculator } from '../../wasm/index.mjs';
import { llamaGguf } from '../support/gguf_models.mjs';
import { fromHex } from '../support/gguf_writer.mjs';

const calc = await createCalculator();
const data = (path) => new URL(`../data/gguf/${path}`, import.meta.url);
const GIB = 2 ** 30;

/** Reads `bytes` as a file, recording each range asked for. */
async function readRecorded(bytes, fileBytes = bytes.length) {
  const reads = [];
  const header = await calc.readGguf(async (start, end) => {
    reads.push([start, end]);
    return bytes.slice(start, end);
  }, fileBytes);
  return { header, reads };
}

test('a GGUF file\'s header: read to its end and no further, its weights to the byte, its model as a config', async () => {
  const { bytes, expected } = llamaGguf({ tokens: 20000 });
  const { header, reads } = await readRecorded(bytes);
  assert.equal(header.complete, true);
  assert.ok(Math.max(...reads.map(([, end]) => end)) <= header.header_bytes, 'no byte of tensor data was read');
  assert.ok(reads.length <= 40, `${reads.length} reads`);
  for (let i = 1; i < reads.length; i++) assert.equal(reads[i][0], reads[i - 1][1], 'each read continues the last');
  assert.equal(header.architecture, 'llama');
  assert.equal(header.file_type_name, 'Q4_K_M');
  assert.equal(header.tensors, expected.tensors);
  assert.equal(header.parameters, expected.parameters);
  assert.equal(header.bytes, expected.bytes);
  assert.equal(header.parts.input, expected.input);
  assert.equal(header.parts.output, expected.output);
  assert.deepEqual(header.parts.layers, expected.layers);
  assert.deepEqual(header.types.map((t) => t.type), ['Q4_K', 'F32', 'Q6_K']);
  // Without the file's size the reads are the same: the header says where it ends.
  assert.deepEqual((await readRecorded(bytes, -1)).reads, reads);
  // The model it describes, weighed with its own bytes on llama.cpp.
  const result = calc.estimate({
    config: header.config, framework: 'llama.cpp', framework_config: { gpu: 'RTX 4090', ctx_size: 4096 },
    checkpoint: { tensor_bytes: header.bytes, parameters: header.parameters, input_bytes: header.parts.input + header.parts.other,
                  output_bytes: header.parts.output, layer_bytes: header.parts.layers },
  });
  assert.equal(result.model.weights_from, 'GGUF header');
  assert.equal(result.model.num_hidden_layers, 4);
  assert.equal(result.model.total_parameters, expected.parameters, 'the config counts what the file holds');
  const gpu = result.llamacpp_buffers.gpus[0];
  assert.equal(Math.round(gpu.model_gib * GIB), expected.layers.reduce((a, b) => a + b, 0) + expected.output);
  assert.equal(Math.round(result.llamacpp_buffers.host_model_gib * GIB), expected.input);
  assert.ok(!result.warnings.some((w) => /loads GGUF files/.test(w)), 'no "not a GGUF" warning for a GGUF header');
  assert.throws(() => calc.estimate({ config: header.config, framework: 'llama.cpp', checkpoint: { layer_bytes: [1, 2] } }),
                /checkpoint\.layer_bytes: lists 2 layers; the config has 4/);
});

test('real published GGUF headers: read as llama.cpp reads them, and refused where it refuses them', () => {
  const sources = JSON.parse(readFileSync(data('real/SOURCES.json'), 'utf8'));
  assert.ok(sources.filter((s) => s.tensor_count > 0).length >= 3);
  for (const source of sources) {
    const bytes = new Uint8Array(readFileSync(data(`real/${source.file}`)));
    const read = () => calc.readGgufHeader(bytes, source.original_file_bytes);
    if (source.version === 1) {
      assert.throws(read, /gguf\.version: is 1, whose 32-bit counts llama\.cpp no longer reads/, source.file);
      continue;
    }
    if (source.file.includes('q8_0')) {
      // A 2023 file whose ffn_down rows (172 values) are not whole Q8_0 blocks: today's ggml refuses it.
      assert.throws(read, /blk\.0\.ffn_down\.weight.*rows of 172 values, not a multiple of Q8_0's block of 32/, source.file);
      continue;
    }
    const header = read();
    assert.equal(header.complete, true, source.file);
    assert.equal(header.tensors, source.tensor_count, source.file);
    assert.equal(header.parameters, source.parameters, source.file);
    assert.equal(header.bytes, source.tensor_bytes, source.file);
    if (source.tensor_count > 0) assert.equal(header.header_bytes, source.header_bytes, source.file);
    assert.equal(header.architecture, source.architecture, source.file);
    if (source.tensor_count === 0) continue;
    assert.ok(header.config, `${source.file}: ${header.config_missing}`);
    const result = calc.estimate({ config: header.config, framework: 'llama.cpp', framework_config: { gpu: 'RTX 4090' },
      checkpoint: { tensor_bytes: header.bytes, parameters: header.parameters, input_bytes: header.parts.input + header.parts.other,
                    output_bytes: header.parts.output, layer_bytes: header.parts.layers } });
    const b = result.llamacpp_buffers;
    const held = b.gpus[0].model_gib + b.host_model_gib;
    assert.equal(Math.round(held * GIB), source.tensor_bytes, `${source.file}: every tensor placed once`);
  }
});

test('malformed GGUF headers: refused, naming where and why', () => {
  const cases = JSON.parse(readFileSync(data('malformed.json'), 'utf8'));
  assert.ok(cases.length >= 8);
  for (const c of cases) {
    const bytes = fromHex(c.hex);
    assert.throws(() => calc.readGgufHeader(bytes, bytes.length), (error) => {
      assert.equal(error.name, 'EstimateError', c.id);
      assert.equal(error.field, c.path, c.id);
      assert.ok(error.message.includes(c.expect), `${c.id}: ${error.message}`);
      return true;
    });
  }
  // A reader that sends fewer bytes than asked for, or a file that ends inside its header.
  const { bytes } = llamaGguf();
  return Promise.all([
    assert.rejects(calc.readGguf(async (start, end) => bytes.slice(start, end - 1), bytes.length), /asked for bytes/),
    assert.rejects(calc.readGguf(async (start, end) => bytes.slice(start, end), 100), /gguf\.tensor_count: declares 39 tensors, at least 1248 bytes, but the file has 84 bytes left/),
  ]);
});

test('@huggingface/gguf reads the same tensors from the same bytes, over HTTP range requests', async () => {
  const files = new Map();
  const { bytes } = llamaGguf();
  files.set('tiny.gguf', { bytes, total: bytes.length });
  for (const source of JSON.parse(readFileSync(data('real/SOURCES.json'), 'utf8'))) {
    if (source.version < 2 || source.file.includes('q8_0') || source.tensor_count === 0) continue;
    // Header-only bytes served as the whole file's size, as the hub reports it.
    files.set(source.file, { bytes: new Uint8Array(readFileSync(data(`real/${source.file}`))), total: source.original_file_bytes });
  }
  const server = createServer((request, response) => {
    const file = files.get(request.url.slice(1));
    const range = /bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '');
    if (!file || !range) { response.writeHead(file ? 416 : 404); response.end(); return; }
    const start = Number(range[1]), end = Math.min(Number(range[2]), file.bytes.length - 1);
    response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${file.total}`, 'content-length': end - start + 1 });
    response.end(file.bytes.subarray(start, end + 1));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    for (const [name, file] of files) {
      const theirs = await hfGguf(`http://127.0.0.1:${server.address().port}/${name}`, { computeParametersCount: true });
      const ours = calc.readGgufHeader(file.bytes, file.total);
      assert.equal(ours.tensors, theirs.tensorInfos.length, name);
      assert.equal(BigInt(ours.header_bytes), theirs.tensorDataOffset, name);
      assert.equal(ours.parameters, theirs.parameterCount, name);
      assert.equal(ours.architecture, theirs.metadata['general.architecture'], name);
    }
  } finally {
    server.close();
  }
});

test('the CLI: llm-mem checkpoint FILE.gguf reads its header, estimate --checkpoint FILE.gguf weighs its model on llama.cpp', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'llm-mem-gguf-'));
  try {
    const { bytes, expected } = llamaGguf();
    const path = join(dir, 'tiny-Q4_K_M.gguf');
    writeFileSync(path, bytes);
    const cli = (...args) => execFileSync(process.execPath, [new URL('../../wasm/cli.mjs', import.meta.url).pathname, ...args], { encoding: 'utf8' });
    const header = JSON.parse(cli('checkpoint', path));
    assert.equal(header.bytes, expected.bytes);
    assert.deepEqual(header.parts.layers, expected.layers);
    const result = JSON.parse(cli('estimate', '--checkpoint', path, '--gpu', 'RTX-4090'));
    assert.equal(result.framework, 'llama.cpp');
    assert.equal(result.model.weights_from, 'GGUF header');
    assert.equal(Math.round(result.llamacpp_buffers.gpus[0].model_gib * GIB), expected.layers.reduce((a, b) => a + b, 0) + expected.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
