// The first visit's answer that the page shows before its engine is ready (web/gen/first-answer.js,
// scripts/build-first-answer.mjs) is this engine's answer to that scenario, field for field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { createCalculator } from '../../wasm/index.mjs';
import { repoRoot } from '../support/scenarios.mjs';

const generated = (file) => {
  const sandbox = {};
  runInNewContext(readFileSync(join(repoRoot, 'web/gen', file), 'utf8'), { globalThis: sandbox });
  return sandbox;
};

test('the built first answer is what the engine answers for the first visit', async () => {
  const calc = await createCalculator();
  const { LLM_MEM_FIRST_ANSWER: first } = generated('first-answer.js');
  const { LLM_MEM_PRESETS: presets } = generated('presets.js');
  const { LLM_MEM_SCHEMA: schema } = generated('schema.js');
  assert.equal(first.version, calc.version());
  const { preset, ...scenario } = first.state;
  const config = presets.find((entry) => entry.id === preset)?.config;
  assert.ok(config, `preset ${preset}`);
  assert.ok(schema.gpus.some((gpu) => gpu.name === scenario.framework_config.gpu));
  // Compared as JSON text: the page shows exactly these numbers and words.
  assert.equal(JSON.stringify(first.result), JSON.stringify(calc.estimate({ config, ...scenario })));
  assert.equal(first.result.verdict.status, 'fits');
});
