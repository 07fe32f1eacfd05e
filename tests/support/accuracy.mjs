// Predicted against measured GPU memory: the records of tests/data/accuracy (published
// measurements with their setups) run through one estimate function, so `npm run accuracy`
// prints exactly what tests/wasm/accuracy.test.mjs asserts.
import { readFileSync } from 'node:fs';

const dataUrl = (name) => new URL(`../data/accuracy/${name}`, import.meta.url);
const corpusUrl = (name) => new URL(`../data/configs/${name}`, import.meta.url);

/** What the measurement counted, from its `what_measured` (or the mapping's `counter`). */
function counterOf(measurement, mapping) {
  const what = (mapping.counter ?? measurement.what_measured).toLowerCase();
  if (what.includes('nvidia-smi')) return 'nvidia-smi';
  if (what.includes('reserved')) return 'reserved';
  return 'allocated';  // max_memory_allocated, torchtune's active bytes, figures reported as such
}

/**
 * The estimate comparable with a counter: live tensors for the allocator's peak; plus
 * fragmentation for the reserved pool; plus the CUDA context for nvidia-smi. The safety
 * margin is advice, never measured.
 */
function comparable(breakdown, counter, contextGib) {
  const tensors = breakdown.total - breakdown.fragmentation_overhead - breakdown.safety_margin;
  if (counter === 'allocated') return tensors;
  const reserved = tensors + breakdown.fragmentation_overhead;
  return counter === 'reserved' ? reserved : reserved + contextGib;
}

function configFor(reference, configs) {
  const config = reference.startsWith('file:')
    ? JSON.parse(readFileSync(corpusUrl(reference.slice(5)), 'utf8'))
    : structuredClone(configs[reference.slice(1)]);
  if (!config) throw new Error(`accuracy mapping names an unknown config ${reference}`);
  delete config._note;
  return config;
}

/**
 * Runs every record. Returns {rows, summary}: a row per record with the measured and predicted
 * GiB and the relative error, or the bound it must respect, or why it is left out.
 */
export function trainingAccuracy(estimate) {
  const measurements = readFileSync(dataUrl('training_measurements.jsonl'), 'utf8')
    .split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
  const mapping = JSON.parse(readFileSync(dataUrl('training.json'), 'utf8'));
  if (mapping.records.length !== measurements.length) {
    throw new Error(`training.json maps ${mapping.records.length} records, the measurements have ${measurements.length}`);
  }
  const rows = mapping.records.map((record, index) => {
    const measurement = measurements[record.line];
    if (record.line !== index) throw new Error(`training.json record ${index} names line ${record.line}`);
    const row = { line: record.line, model: measurement.model, mode: measurement.mode, note: record.note };
    if (record.excluded) return { ...row, kind: 'excluded', reason: record.excluded };
    const { config, ...rest } = record.request;
    const result = estimate({ ...rest, config: configFor(config, mapping.configs) });
    const counter = counterOf(measurement, record);
    const predicted = comparable(result.breakdown, counter, mapping.cuda_context_gib);
    if (measurement.measured_peak_gib == null) {
      const { type, gib } = measurement.bound;
      // An OOM: the run needed more than the card; a capacity: it fitted.
      const holds = type === 'lower' ? predicted > gib : predicted <= gib;
      return { ...row, kind: 'bound', counter, bound: `${type === 'lower' ? '>' : '<='} ${gib}`, predicted, holds };
    }
    const measured = measurement.measured_peak_gib;
    return { ...row, kind: 'measured', counter, measured, predicted, error: (predicted - measured) / measured,
             peak_phase: result.training?.peak_phase ?? 'inference' };
  });
  const errors = rows.filter((row) => row.kind === 'measured').map((row) => Math.abs(row.error)).sort((a, b) => a - b);
  const middle = errors.length >> 1;
  const median = errors.length % 2 ? errors[middle] : (errors[middle - 1] + errors[middle]) / 2;
  return {
    rows,
    summary: {
      measured: errors.length,
      median_abs_error: median,
      within_10_percent: errors.filter((e) => e <= 0.10).length,
      within_25_percent: errors.filter((e) => e <= 0.25).length,
      bounds: rows.filter((row) => row.kind === 'bound').length,
      bounds_held: rows.filter((row) => row.kind === 'bound' && row.holds).length,
      excluded: rows.filter((row) => row.kind === 'excluded').length,
    },
  };
}

/**
 * The config corpus against its published parameter counts (tests/data/configs/models.json):
 * a row per model with the count the estimator gives, adjusted to the source's convention.
 */
export function modelCounts(estimate) {
  const manifest = JSON.parse(readFileSync(corpusUrl('models.json'), 'utf8'));
  return manifest.map((entry) => {
    const config = JSON.parse(readFileSync(corpusUrl(entry.file), 'utf8'));
    const { model } = estimate({ config });
    let counted = model.total_parameters;
    const kind = entry.adjustment?.kind;
    if (kind === 'rotary_buffers') counted += model.num_hidden_layers * model.head_dim / 2;
    if (kind === 'tied_lm_head_stored') counted += model.vocab_size * model.hidden_size;
    return { file: entry.file, model_id: entry.model_id, family: model.model_type, published: entry.total_parameters,
             counted, vision: model.vision_parameters, adjustment: kind ?? null, convention: entry.count_convention };
  });
}

const GIB = 1024 ** 3;

// A dataset mapping's settings that are framework_config fields, passed on where stated: the
// vLLM version the log ran, what it shows of the GPU, and the flags it was started with. The
// engine, model runner and graph profiling follow from the version (vllm_engine only where a log
// shows V0 for a reason the request cannot state: mapping.engine_override says which).
const VLLM_FRAMEWORK_SETTINGS = ['vllm_version', 'vllm_engine', 'vllm_sampler', 'disable_custom_all_reduce',
                                 'enable_chunked_prefill', 'gpu_compute_capability'];

/** The request a vLLM record's mapping settings describe, with `framework` fields added. */
function vllmRequest(config, settings, framework = {}) {
  const stated = VLLM_FRAMEWORK_SETTINGS.filter((key) => settings[key] !== undefined).map((key) => [key, settings[key]]);
  return {
    config,
    framework: 'vllm',
    workload: { max_num_seqs: settings.max_num_seqs, max_model_len: settings.max_model_len,
                max_num_batched_tokens: settings.max_num_batched_tokens, block_size: settings.block_size },
    parallelism: { tensor_parallel_size: settings.tensor_parallel_size ?? 1,
                   pipeline_parallel_size: settings.pipeline_parallel_size ?? 1 },
    framework_config: { ...Object.fromEntries(stated), ...framework },
  };
}

/**
 * vLLM start-up logs (tests/data/vllm/startup_logs.json) against the capacity the estimator
 * computes. Per mapped record: weights against "model weights take" / "Model loading took";
 * the KV tokens (or blocks) that the logged KV memory holds at our bytes per block; the
 * available KV memory against the logged one, as a share of the budget; whether it starts.
 */
export function vllmAccuracy(estimate) {
  const data = JSON.parse(readFileSync(dataUrl('../vllm/startup_logs.json'), 'utf8'));
  const rows = data.records.map((record) => {
    const row = { id: record.id, model: record.model, version: record.vllm_version, engine: record.engine };
    const { mapping, parsed } = record;
    if (mapping.excluded) return { ...row, kind: 'excluded', reason: mapping.excluded };
    const s = mapping.settings;
    const utilization = parsed.gpu_memory_utilization ?? record.settings.gpu_memory_utilization;
    const total = parsed.total_gpu_memory_gib ?? null;
    const result = estimate(vllmRequest(configFor(mapping.config, data.configs), s,
                                        total && utilization ? { gpu_memory_gib: total, gpu_memory_utilization: utilization } : {}));
    // One block id's bytes: every layer's page, or in V1's hybrid layout one page per layer of a group.
    const bytesPerBlock = result.kv_cache_capacity?.bytes_per_block ?? result.kv_cache_bytes_per_token * s.block_size;
    const out = { ...row, kind: 'mapped', note: mapping.note };
    const loggedWeights = parsed.weights_gib ?? parsed.model_loading_gib;
    if (mapping.weights_not_checked) out.weights_not_checked = mapping.weights_not_checked;
    if (loggedWeights != null && loggedWeights > 0 && !mapping.weights_not_checked) {
      out.weights = { logged: loggedWeights, predicted: result.breakdown.model_weights };
      out.weights.error = (out.weights.predicted - loggedWeights) / loggedWeights;
      // Within 2% once the log's own rounding is allowed for: it prints GiB to 2 decimals
      // (MiB or GB to 2-4 elsewhere), half a unit either way.
      const printedDecimals = parsed.weights_gib != null ? 2 : (String(parsed.model_loading_gib).split('.')[1] ?? '').length;
      const rounding = 0.5 * 10 ** -Math.max(printedDecimals, 2);
      out.weights.holds = Math.abs(out.weights.predicted - loggedWeights) <= 0.02 * loggedWeights + rounding;
    }
    // The blocks the logged KV memory holds at our bytes per block; the log rounds GiB to 2
    // decimals, so a few blocks either way are the log's rounding, not ours.
    const loggedBlocks = parsed.num_gpu_blocks ?? (parsed.kv_cache_tokens != null ? parsed.kv_cache_tokens / s.block_size : null);
    if (parsed.kv_cache_gib > 0 && loggedBlocks) {
      const predicted = Math.floor(parsed.kv_cache_gib * GIB / bytesPerBlock);
      const slack = Math.ceil(0.005 * GIB / bytesPerBlock) + 1;
      out.blocks = { logged: loggedBlocks, predicted, holds: Math.abs(predicted - loggedBlocks) <= slack };
    } else if (loggedBlocks && parsed.kv_cache_gib == null) {
      out.blocks = { logged: loggedBlocks, predicted: null, holds: null };
    }
    if (parsed.max_concurrency != null && loggedBlocks) {
      const concurrency = loggedBlocks * s.block_size / s.max_model_len;
      out.concurrency = { logged: parsed.max_concurrency, predicted: concurrency,
                          holds: Math.abs(concurrency - parsed.max_concurrency) <= 0.006 };
    }
    const capacity = result.kv_cache_capacity;
    if (mapping.available_not_checked) out.available_not_checked = mapping.available_not_checked;
    if (capacity && parsed.kv_cache_gib != null && !mapping.available_not_checked) {
      out.available = { logged: parsed.kv_cache_gib, predicted: capacity.available_gib, budget: capacity.budget_gib,
                        activation_logged: parsed.activation_peak_gib, activation_predicted: capacity.activation_peak_gib };
      out.available.error_of_budget = (capacity.available_gib - parsed.kv_cache_gib) / capacity.budget_gib;
      const loggedStarts = parsed.kv_cache_gib > 0 && (loggedBlocks == null || loggedBlocks * s.block_size >= s.max_model_len);
      out.starts = { logged: loggedStarts, predicted: result.verdict.ok };
    }
    return out;
  });
  const mapped = rows.filter((row) => row.kind === 'mapped');
  const withWeights = mapped.filter((row) => row.weights);
  const withBlocks = mapped.filter((row) => row.blocks && row.blocks.holds !== null);
  const withAvailable = mapped.filter((row) => row.available);
  return {
    rows,
    summary: {
      records: rows.length,
      mapped: mapped.length,
      weights_within_2_percent: withWeights.filter((row) => row.weights.holds).length,
      weights_checked: withWeights.length,
      blocks_reproduced: withBlocks.filter((row) => row.blocks.holds).length,
      blocks_checked: withBlocks.length,
      concurrency_reproduced: mapped.filter((row) => row.concurrency?.holds).length,
      concurrency_checked: mapped.filter((row) => row.concurrency).length,
      available_within_2_percent_of_budget: withAvailable.filter((row) => Math.abs(row.available.error_of_budget) <= 0.02).length,
      available_checked: withAvailable.length,
      start_verdicts_right: withAvailable.filter((row) => row.starts.logged === row.starts.predicted).length,
    },
  };
}

/** vLLM's CUDA graph memory (tests/data/vllm/cuda_graph_logs.json) against the estimate. */
export function cudaGraphAccuracy(estimate) {
  const data = JSON.parse(readFileSync(dataUrl('../vllm/cuda_graph_logs.json'), 'utf8'));
  const startup = JSON.parse(readFileSync(dataUrl('../vllm/startup_logs.json'), 'utf8'));
  return data.records.map((record) => {
    if (record.excluded) return { id: record.id, kind: 'excluded', reason: record.excluded };
    const s = record.mapping.settings;
    const result = estimate(vllmRequest(configFor(record.mapping.config, startup.configs), s));
    const predicted = result.breakdown.cuda_graphs;
    return { id: record.id, kind: 'mapped', version: record.vllm_version, logged: record.graph_gib, predicted,
             ratio: predicted / record.graph_gib };
  });
}
