// The SGLang engine against SGLang's own start-up logs: tests/data/sglang/logs.json holds each
// log's lines and source, and for the logs whose model is in the corpus the request that
// reproduces it (`check`: the config, the GPU, the flags) and what it printed (`logged`).
// `npm run accuracy` prints every row; tests/wasm/sglang.test.mjs asserts them.
import { readFileSync } from 'node:fs';

const dataUrl = (path) => new URL(`../data/${path}`, import.meta.url);
export const sglangLogs = () => JSON.parse(readFileSync(dataUrl('sglang/logs.json'), 'utf8'));

/** The request that reproduces a log's start-up (`gpu_memory_gib`: what the log implies). */
export function sglangRequest(check, gpuMemoryGib) {
  const config = JSON.parse(readFileSync(dataUrl(check.config), 'utf8'));
  Object.assign(config, check.config_overrides ?? {});
  const framework_config = { ...check.framework_config };
  if (check.gpu) framework_config.gpu = check.gpu;
  else if (gpuMemoryGib != null) framework_config.gpu_memory_gib = gpuMemoryGib;
  return { config, framework: 'sglang', framework_config, ...(check.parallelism ? { parallelism: check.parallelism } : {}) };
}

/** A row per checked log: the pool's tokens ours against the log's, and what else it printed. */
export function sglangAccuracy(estimate) {
  return sglangLogs().map((log) => {
    if (!log.check) return { id: log.id, left_out: log.left_out };
    const check = log.check;
    let gpu = check.gpu_memory_gib;
    if (check.infer_from_weights_end != null) {
      // The log prints the free memory after the weights only: before them it was that plus the weights.
      const weights = estimate(sglangRequest(check)).breakdown.model_weights;
      gpu = Math.round((check.infer_from_weights_end + weights + 0.4) * 100) / 100;
    }
    const result = estimate(sglangRequest(check, gpu));
    const pool = result.sglang_pool;
    const logged = check.logged;
    const row = { id: log.id, known_miss: check.known_miss, version: check.framework_config.sglang_version, gpu: check.gpu ?? `${gpu} GiB`, logged, pool, verdict: result.verdict.status };
    row.tokens_error = pool.max_total_num_tokens / logged.max_total_num_tokens - 1;
    return row;
  });
}

/** The summary the test asserts and `npm run accuracy` prints. */
export function sglangSummary(rows) {
  const checked = rows.filter((row) => !row.left_out);
  const within = checked.filter((row) => Math.abs(row.tokens_error) <= 0.02);
  const fractions = checked.filter((row) => row.logged.mem_fraction_static != null);
  return {
    logs: rows.length,
    checked: checked.length,
    tokens_within_2_percent: within.length,
    fractions_checked: fractions.length,
    fractions_reproduced: fractions.filter((row) => Math.abs(row.pool.mem_fraction_static - row.logged.mem_fraction_static) < 5e-4).length,
    median_abs_tokens_error: median(checked.map((row) => Math.abs(row.tokens_error))),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
