// The estimator against published measurements (tests/data/accuracy): what `npm run accuracy` prints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { trainingAccuracy } from '../support/accuracy.mjs';

const calc = await createCalculator();

test('training: median absolute error at most 10% over the measured records, every bound holds', () => {
  const { rows, summary } = trainingAccuracy((request) => calc.estimate(request));
  assert.ok(summary.measured >= 40, `only ${summary.measured} measured records ran`);
  assert.ok(summary.median_abs_error <= 0.10, `median |error| ${(100 * summary.median_abs_error).toFixed(1)}%`);
  for (const row of rows.filter((r) => r.kind === 'bound')) {
    assert.ok(row.holds, `record ${row.line} (${row.model}): predicted ${row.predicted.toFixed(2)} GiB, bound ${row.bound}`);
  }
  // Every record left out says why.
  for (const row of rows.filter((r) => r.kind === 'excluded')) assert.ok(row.reason.length > 20);
});
