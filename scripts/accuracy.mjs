// `npm run accuracy`: the estimator against published measurements, record by record, with
// the summary tests/wasm/accuracy.test.mjs asserts. Runs the built WASM module.
import { createCalculator } from '../wasm/index.mjs';
import { cudaGraphAccuracy, modelCounts, trainingAccuracy, vllmAccuracy } from '../tests/support/accuracy.mjs';
import { quantizedAccuracy } from '../tests/support/quantized.mjs';
import { llamacppAccuracy } from '../tests/support/llamacpp.mjs';
import { sglangAccuracy, sglangSummary } from '../tests/support/sglang.mjs';

const calc = await createCalculator();
const gib = (value) => value.toFixed(2).padStart(7);
const cell = (text, width) => String(text).slice(0, width - 1).padEnd(width);

function printTraining() {
  const { rows, summary } = trainingAccuracy((request) => calc.estimate(request));
  console.log('Training and fine-tuning memory: tests/data/accuracy/training_measurements.jsonl');
  console.log('(GiB per GPU; measured as the source counted it: allocator peak, reserved pool, or nvidia-smi)\n');
  console.log(`${cell('#', 3)}${cell('model', 30)}${cell('mode', 10)}${cell('counter', 11)}measured predicted  error  peak phase`);
  for (const row of rows) {
    const head = `${cell(row.line, 3)}${cell(row.model, 30)}${cell(row.mode, 10)}`;
    if (row.kind === 'measured') {
      const error = `${row.error >= 0 ? '+' : ''}${(100 * row.error).toFixed(1)}%`;
      console.log(`${head}${cell(row.counter, 11)}${gib(row.measured)}  ${gib(row.predicted)} ${error.padStart(7)}  ${row.peak_phase}`);
    } else if (row.kind === 'bound') {
      console.log(`${head}${cell(row.counter, 11)}${cell(row.bound, 9)}${gib(row.predicted)} ${row.holds ? '  holds' : '  FAILS'}`);
    } else {
      console.log(`${head}left out: ${row.reason}`);
    }
  }
  console.log(`\n${summary.measured} measured records: median |error| ${(100 * summary.median_abs_error).toFixed(1)}%, ` +
              `${summary.within_10_percent} within 10%, ${summary.within_25_percent} within 25%; ` +
              `${summary.bounds_held}/${summary.bounds} OOM and capacity bounds hold; ${summary.excluded} left out.`);
}

function printCounts() {
  const rows = modelCounts((request) => calc.estimate(request));
  console.log('Parameter counts: tests/data/configs/models.json (published count, and ours in its convention)\n');
  console.log(`${cell('config', 36)}${cell('family', 13)}${'published'.padStart(16)}${'counted'.padStart(16)}  match`);
  for (const row of rows) {
    const match = row.published == null ? 'no published count' : row.published === row.counted ? 'exact' : `off by ${row.counted - row.published}`;
    const note = row.adjustment ? ` (${row.adjustment})` : '';
    console.log(`${cell(row.file, 36)}${cell(row.family, 13)}${String(row.published ?? '-').padStart(16)}${String(row.counted).padStart(16)}  ${match}${note}`);
  }
  const checked = rows.filter((row) => row.published != null);
  console.log(`\n${checked.filter((row) => row.published === row.counted).length} of ${checked.length} published counts reproduced exactly; ${rows.length - checked.length} configs without one.\n`);
}

function printVllm() {
  const { rows, summary } = vllmAccuracy((request) => calc.estimate(request));
  const num = (value) => (value == null ? '-' : value.toFixed(2)).padStart(7);
  console.log('\nvLLM start-up: tests/data/vllm/startup_logs.json (logged / predicted; GiB, blocks)\n');
  console.log(`${cell('record', 44)}${cell('engine', 7)}${'weights'.padStart(17)}${'KV blocks'.padStart(19)}${'available KV'.padStart(18)}  of budget  starts`);
  for (const row of rows) {
    if (row.kind === 'excluded') {
      console.log(`${cell(row.id, 44)}left out: ${row.reason}`);
      continue;
    }
    const weights = row.weights ? `${num(row.weights.logged)} /${num(row.weights.predicted)}` : ''.padStart(16);
    const blocks = row.blocks?.predicted != null ? `${String(row.blocks.logged).padStart(8)} /${String(row.blocks.predicted).padStart(8)}` : ''.padStart(18);
    const available = row.available ? `${num(row.available.logged)} /${num(row.available.predicted)}` : ''.padStart(16);
    const share = row.available ? `${(100 * row.available.error_of_budget).toFixed(1).padStart(6)}%` : ''.padStart(7);
    const starts = row.starts ? (row.starts.logged === row.starts.predicted ? `   ${row.starts.predicted ? 'yes' : 'no'}` : '   WRONG') : '';
    console.log(`${cell(row.id, 44)}${cell(row.engine ?? '?', 7)} ${weights}  ${blocks}  ${available}  ${share}${starts}`);
  }
  const s = summary;
  console.log(`\n${s.mapped} of ${s.records} logs reproduced: weights within 2% in ${s.weights_within_2_percent}/${s.weights_checked}; ` +
              `KV blocks from the logged KV memory in ${s.blocks_reproduced}/${s.blocks_checked}; concurrency in ` +
              `${s.concurrency_reproduced}/${s.concurrency_checked}; available KV memory within 2% of the budget in ` +
              `${s.available_within_2_percent_of_budget}/${s.available_checked}; start verdicts right in ${s.start_verdicts_right}/${s.available_checked}.`);
}

function printCudaGraphs() {
  const num = (value) => value.toFixed(2).padStart(7);
  console.log('\nvLLM CUDA graphs: tests/data/vllm/cuda_graph_logs.json (GiB logged / estimated)\n');
  for (const row of cudaGraphAccuracy((request) => calc.estimate(request))) {
    if (row.kind === 'excluded') { console.log(`${cell(row.id, 44)}left out: ${row.reason}`); continue; }
    console.log(`${cell(row.id, 44)}${cell(row.version ?? '?', 12)}${num(row.logged)} /${num(row.predicted)}   x${row.ratio.toFixed(2)}`);
  }
}

function printQuantized() {
  const { rows, summary } = quantizedAccuracy((request) => calc.estimate(request));
  console.log('\nWhat if it were quantized (checkpoint.weights_as): tests/data/quantized/published_sizes.json');
  console.log('(files: bytes as published, which include a GGUF\'s tokenizer; logs: the tensor bytes llama.cpp printed)\n');
  console.log(`${cell('as', 12)}${cell('config', 40)}${cell('file or log', 52)}${'published'.padStart(16)}${'ours'.padStart(16)}   error`);
  for (const row of rows) {
    const figure = (value) => (row.kind === 'log' ? `${value.toFixed(2)} ${row.unit}` : String(Math.round(value))).padStart(16);
    const where = row.kind === 'log' ? `llama.cpp log ${row.log}: ${row.model}` : row.repository;
    const error = `${row.error >= 0 ? '+' : ''}${(100 * row.error).toFixed(2)}%`.padStart(8);
    const note = row.left_out ? `  left out: ${row.left_out}` : row.adjustment ? `  (+ ${row.adjustment})` : '';
    console.log(`${cell(row.format, 12)}${cell(row.config.replace(/^.*\//, ''), 40)}${cell(where, 52)}${figure(row.published)}${figure(row.predicted)}${error}${note}`);
  }
  const s = summary;
  console.log(`\n${s.within_1_percent} of ${s.counted} within 1% (median |error| ${(100 * s.median_abs_error).toFixed(2)}%); ${s.left_out} left out, each with its reason.`);
  console.log('Models within 1% by format: ' + Object.entries(s.by_format).map(([format, f]) => `${format} ${f.models_within_1_percent}/${f.models}`).join(', '));
}

function printLlamaCpp() {
  const rows = llamacppAccuracy((request) => calc.estimate(request));
  console.log('\nllama.cpp against its start-up logs: tests/data/llamacpp/logs.json (MiB, as llama.cpp prints them)\n');
  console.log(`${cell('log', 6)}${cell('buffer', 14)}${'logged'.padStart(10)}${'ours'.padStart(10)}    error  build`);
  for (const row of rows) {
    if (row.left_out) {
      console.log(`${cell(row.id, 6)}left out: ${row.left_out}`);
      continue;
    }
    const error = `${row.error >= 0 ? '+' : ''}${(100 * row.error).toFixed(2)}%`.padStart(9);
    const miss = row.known_miss ? `  known miss: ${row.known_miss}` : '';
    console.log(`${cell(row.id, 6)}${cell(row.buffer, 14)}${row.logged.toFixed(2).padStart(10)}${row.predicted.toFixed(2).padStart(10)}${error}  ${row.build ?? ''}${miss}`);
  }
  const counted = rows.filter((row) => !row.left_out);
  const logs = new Set(counted.map((row) => row.id)).size;
  console.log(`\n${counted.filter((row) => Math.abs(row.error) <= 0.01).length} of ${counted.length} buffers within 1% over ${logs} logs; ` +
              `${rows.filter((row) => row.left_out).length} logs left out, each with its reason.`);
}

function printSglang() {
  const rows = sglangAccuracy((request) => calc.estimate(request));
  console.log('\nSGLang against its start-up logs: tests/data/sglang/logs.json (logged / ours: the pool\'s tokens, GiB, the default fraction)\n');
  console.log(`${cell('log', 34)}${cell('version', 13)}${'max_total_num_tokens'.padStart(22)}    error  ${'free before weights'.padStart(20)}${'weights'.padStart(15)}  fraction`);
  const num = (value) => (value == null ? '-' : typeof value === 'number' ? value.toFixed(2) : String(value));
  for (const row of rows) {
    if (row.left_out) {
      console.log(`${cell(row.id, 34)}left out: ${row.left_out}`);
      continue;
    }
    const { logged: l, pool: p } = row;
    const error = `${row.tokens_error >= 0 ? '+' : ''}${(100 * row.tokens_error).toFixed(2)}%`.padStart(9);
    const miss = row.known_miss ? `  known miss: ${row.known_miss}` : '';
    console.log(`${cell(row.id, 34)}${cell(row.version, 13)}${`${l.max_total_num_tokens} / ${p.max_total_num_tokens}`.padStart(22)}${error}  ` +
                `${`${num(l.free_gib)} / ${num(p.free_gib)}`.padStart(20)}${`${num(l.weights_gib)} / ${num(p.weights_gib)}`.padStart(15)}  ` +
                `${l.mem_fraction_static ?? '-'} / ${p.mem_fraction_static}${miss}`);
  }
  const s = sglangSummary(rows);
  console.log(`\n${s.tokens_within_2_percent} of ${s.checked} logs' max_total_num_tokens within 2% (median |error| ${(100 * s.median_abs_tokens_error).toFixed(2)}%); ` +
              `the default fraction reproduced in ${s.fractions_reproduced} of ${s.fractions_checked}; ${s.logs - s.checked} logs left out, each with its reason.`);
}

printCounts();
printTraining();
printVllm();
printCudaGraphs();
printQuantized();
printLlamaCpp();
printSglang();
