// The llama.cpp engine against llama.cpp's own start-up logs: tests/data/llamacpp/logs.json
// holds each log's lines and source, and for the logs whose model is in the corpus the request
// that reproduces it and the buffers it printed (MiB). `npm run accuracy` prints every row;
// tests/wasm/llamacpp.test.mjs asserts them.
import { readFileSync } from 'node:fs';

const dataUrl = (path) => new URL(`../data/${path}`, import.meta.url);
export const llamacppLogs = () => JSON.parse(readFileSync(dataUrl('llamacpp/logs.json'), 'utf8'));

const MIB = 1024;  // GiB -> MiB

/** A row per logged buffer: ours against the log's, in MiB. */
export function llamacppAccuracy(estimate) {
  const rows = [];
  for (const log of llamacppLogs()) {
    if (!log.check) {
      rows.push({ id: log.id, left_out: log.left_out });
      continue;
    }
    const { config: path, framework_config, checkpoint, logged_mib } = log.check;
    const config = JSON.parse(readFileSync(dataUrl(path), 'utf8'));
    delete config.quantization_config;  // the GGUF file's types come from weights_as
    const request = { config, framework: 'llama.cpp', framework_config, ...(checkpoint ? { checkpoint } : {}) };
    const result = estimate(request);
    const b = result.llamacpp_buffers;
    const gpu = b.gpus[0];  // every checked log ran on one GPU
    const ours = {
      kv_gpu: gpu.kv_gib * MIB,
      model_gpu: gpu.model_gib * MIB,
      compute_gpu: gpu.compute_gib * MIB,
      model_host: b.host_model_gib * MIB,
      compute_host: b.host_compute_gib * MIB,
    };
    for (const [buffer, logged] of Object.entries(logged_mib)) {
      const known_miss = log.check.known_misses?.[buffer];
      rows.push({ id: log.id, buffer, logged, predicted: ours[buffer], build: log.llama_cpp, ...(known_miss ? { known_miss } : {}) });
    }
  }
  for (const row of rows) if (!row.left_out) row.error = row.predicted / row.logged - 1;
  return rows;
}
