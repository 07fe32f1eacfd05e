// `npm run accuracy`: the estimator against published measurements, record by record, with
// the summary tests/wasm/accuracy.test.mjs asserts. Runs the built WASM module.
import { createCalculator } from '../wasm/index.mjs';
import { modelCounts, trainingAccuracy } from '../tests/support/accuracy.mjs';

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

printCounts();
printTraining();
