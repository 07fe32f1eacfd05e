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
