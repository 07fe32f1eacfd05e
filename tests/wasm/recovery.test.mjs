// A calculator whose instance traps drops it and starts another. No input is known to make the
// module trap (the doors and the fuzzers make sure of it), so this test makes one: it wraps the
// real module factory, before index.mjs loads it, so that one marked request raises the error a
// trap raises (WebAssembly.RuntimeError) from inside the instance.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { corpusConfig } from '../support/scenarios.mjs';

const require = createRequire(import.meta.url);
const modulePath = require.resolve('../../wasm/dist/llm-mem.cjs');
const realFactory = require(modulePath);
let instances = 0;
require.cache[modulePath].exports = async (...args) => {
  const module = await realFactory(...args);
  const instance = ++instances;
  const estimate = module.estimate;
  module.estimate = (request) => {
    if (request && request.trap) throw new WebAssembly.RuntimeError(`unreachable (instance ${instance})`);
    return estimate(request);
  };
  return module;
};
const { createCalculator } = await import('../../wasm/index.mjs');

test('after a trap the calculator restarts its instance: the next calls answer as before, on a new instance', async () => {
  const calc = await createCalculator();
  const request = { config: corpusConfig('llama-3.1-8b.json') };
  const before = calc.estimate(request);
  assert.equal(instances, 1);

  assert.throws(() => calc.estimate({ ...request, trap: true }), (error) => {
    assert.ok(error instanceof calc.EstimateError);
    assert.equal(error.field, 'engine');
    assert.equal(error.message, 'engine: internal failure (unreachable (instance 1)); it restarts, call again');
    return true;
  });
  // While the new instance starts, calls say so rather than run on the failed one.
  assert.throws(() => calc.estimate(request), /^EstimateError: engine: restarting after an internal failure; call again shortly$/);
  let after;
  for (let i = 0; i < 250 && after === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    try {
      after = calc.estimate(request);
    } catch (error) {
      assert.equal(error.field, 'engine');  // still restarting
    }
  }
  assert.equal(instances, 2);
  assert.deepEqual(after, before);
  // Bad input on the new instance is still an EstimateError of this calculator's class.
  assert.throws(() => calc.estimate({ config: {} }), (error) => error instanceof calc.EstimateError && error.field.startsWith('config'));

  // A calculator created after the trap does not get the failed shared instance.
  const later = await createCalculator();
  assert.deepEqual(later.estimate(request), before);
  assert.equal(instances, 3);
});
