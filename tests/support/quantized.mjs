// "What if I quantize it?" against real quantized checkpoints: tests/data/quantized/published_sizes.json
// holds published file sizes (safetensors and GGUF) and the tensor bytes llama.cpp prints when it
// loads a file, each with its source. `npm run accuracy` prints every row; tests/wasm/accuracy.test.mjs
// asserts the summary.
import { readFileSync } from 'node:fs';

const dataUrl = (path) => new URL(`../data/${path}`, import.meta.url);
export const quantizedRecords = () => JSON.parse(readFileSync(dataUrl('quantized/published_sizes.json'), 'utf8'));

/** Bytes of a tied lm_head a checkpoint stores a second time (the model dtype's 2 bytes). */
function tiedHeadBytes(config) {
  const text = config.text_config ?? config;
  return 2 * text.vocab_size * text.hidden_size;
}

/**
 * Bytes of DeepSeek-V3's multi-token-prediction module, which its checkpoint stores as layer 61
 * (the hub's 685B against 671B) and vLLM loads only for speculative decoding: one more decoder
 * layer at the what-if's precision, eh_proj (2h x h) and three norms in BF16, and its own copies
 * of the embedding and the head in BF16 (DeepSeek-V3's README; modeling_deepseek.py's MTP layout).
 */
function mtpModuleBytes(estimate, config, format) {
  const weights = (c) => estimate({ config: c, framework: 'vllm', checkpoint: { weights_as: format } }).model.weight_bytes;
  const layers = config.num_nextn_predict_layers;
  const layer = weights({ ...config, num_hidden_layers: config.num_hidden_layers + layers }) - weights(config);
  const h = config.hidden_size;
  return layer + layers * 2 * (2 * h * h + 3 * h + 2 * config.vocab_size * h);
}

const ADJUSTMENTS = {
  'tied lm_head stored a second time': (estimate, config) => tiedHeadBytes(config),
  'multi-token-prediction module stored': mtpModuleBytes,
};
const adjustmentBytes = (estimate, record, config) => {
  if (!record.adjustment) return 0;
  const kind = Object.keys(ADJUSTMENTS).find((prefix) => record.adjustment.startsWith(prefix));
  if (!kind) throw new Error(`unknown adjustment: ${record.adjustment}`);
  return ADJUSTMENTS[kind](estimate, config, record.format);
};

/**
 * A row per record: the published figure and ours in the same unit, the relative error, and
 * why a record is left out of the summary (it is still computed and printed).
 */
export function quantizedAccuracy(estimate) {
  const configs = new Map();
  const configOf = (path) => {
    if (!configs.has(path)) configs.set(path, JSON.parse(readFileSync(dataUrl(path), 'utf8')));
    const config = structuredClone(configs.get(path));
    delete config.quantization_config;  // the what-if starts from the model's parameters
    return config;
  };
  const rows = quantizedRecords().map((record) => {
    const config = configOf(record.config);
    const result = estimate({ config, framework: 'vllm', checkpoint: { weights_as: record.format } });
    const bytes = result.model.weight_bytes + adjustmentBytes(estimate, record, config);
    const unit = record.kind === 'log' ? (record.unit === 'MiB' ? 2 ** 20 : 2 ** 30) : 1;
    const published = record.kind === 'log' ? record.size : record.bytes;
    const predicted = bytes / unit;
    return { ...record, published, predicted, error: predicted / published - 1 };
  });
  const counted = rows.filter((row) => !row.left_out);
  const within = (row) => Math.abs(row.error) <= 0.01;
  const formats = [...new Set(rows.map((row) => row.format))];
  const byFormat = Object.fromEntries(formats.map((format) => {
    const mine = counted.filter((row) => row.format === format);
    const models = (list) => new Set(list.map((row) => row.config)).size;
    return [format, { records: mine.length, within_1_percent: mine.filter(within).length, models: models(mine), models_within_1_percent: models(mine.filter(within)) }];
  }));
  const summary = {
    records: rows.length,
    left_out: rows.length - counted.length,
    counted: counted.length,
    within_1_percent: counted.filter(within).length,
    median_abs_error: median(counted.map((row) => Math.abs(row.error))),
    by_format: byFormat,
  };
  return { rows, summary };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
