// The malformed-input corpus (tests/data/malformed/cases.json), through the JS API and the CLI:
// every case must be refused with an EstimateError that names the field at fault, and the CLI
// must exit 2 with that message as its one line on stderr.
//
// The corpus is a JSON array of cases:
//   name          a short description, unique;
//   request       a JSON value sent as the request object (never a bare string: the API would
//                 read it as JSON text; a request that is a JSON string goes in request_text), or
//   request_text  raw text sent as-is (malformed JSON, numbers JSON.parse would round, BOMs...);
//                 exactly one of the two;
//   field         the exact field path the error must name (error.field);
//   message       optional: the exact full message. Without it the message must start with
//                 `${field}: `, or, for a spec-bound parameter (params.X, framework_config.X),
//                 with `X=` (the spec's "X=1.5 not in valid range [0.0, 1.0]" form).
//
// Placeholders, expanded anywhere inside `request` (not inside request_text):
//   "@llama", "@gpt2", "@mixtral", "@nemotron_h"  the whole config.json of tests/data/configs/
//                                      llama-3.1-8b.json, gpt2.json, mixtral-8x7b-v0.1.json;
//   {"@llama": {"hidden_size": "abc"}} that config with the listed keys overridden (override
//                                      values are expanded too); an override value "@delete"
//                                      removes the key. An object is a placeholder only when
//                                      "@llama"/"@gpt2"/"@mixtral" is its one and only key.
//
// The API gets request_text as-is, or the expanded request value; the CLI reads on stdin
// request_text as-is, or JSON.stringify of the expanded request.
//
// Inputs that crash the module, hang, return a result, name no field or report NaN/Infinity or
// negative numbers are bugs to fix in core/, not cases to add here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

const cases = JSON.parse(readFileSync(join(repoRoot, 'tests', 'data', 'malformed', 'cases.json'), 'utf8'));
const calc = await createCalculator();
const cli = join(repoRoot, 'wasm', 'cli.mjs');

const PLACEHOLDERS = {
  '@llama': 'llama-3.1-8b.json',
  '@gpt2': 'gpt2.json',
  '@mixtral': 'mixtral-8x7b-v0.1.json',
  '@nemotron_h': 'nemotron-3-nano-30b-a3b.json',
};
const DELETE = '@delete';
const isPlaceholder = (key) => Object.hasOwn(PLACEHOLDERS, key);

// Own data properties, whatever the key (a "__proto__" key stays a plain key).
function put(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The request value with every placeholder replaced by its config. */
function expand(value) {
  if (typeof value === 'string') {
    assert.notEqual(value, DELETE, '"@delete" belongs only in a placeholder\'s overrides');
    return isPlaceholder(value) ? corpusConfig(PLACEHOLDERS[value]) : value;
  }
  if (Array.isArray(value)) return value.map(expand);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && isPlaceholder(keys[0])) {
    const overrides = value[keys[0]];
    assert.ok(overrides !== null && typeof overrides === 'object' && !Array.isArray(overrides),
      `the overrides of ${keys[0]} must be an object`);
    const config = corpusConfig(PLACEHOLDERS[keys[0]]);
    for (const [key, override] of Object.entries(overrides)) {
      if (override === DELETE) delete config[key];
      else put(config, key, expand(override));
    }
    return config;
  }
  const copy = {};
  for (const [key, item] of Object.entries(value)) put(copy, key, expand(item));
  return copy;
}

/** What the API is given: the raw text, or the expanded request value. */
const apiInput = (c) => ('request_text' in c ? c.request_text : expand(c.request));
/** What the CLI reads on stdin. */
const cliInput = (c) => ('request_text' in c ? c.request_text : JSON.stringify(expand(c.request)));

function assertMessage(c, message) {
  assert.equal(typeof message, 'string');
  assert.doesNotMatch(message, /[\r\n]/, 'the message must be one line');
  if (c.message !== undefined) {
    assert.equal(message, c.message);
    return;
  }
  const parameter = c.field.slice(c.field.lastIndexOf('.') + 1);
  const specBound = /^(params|framework_config)\.[a-z_]+$/.test(c.field) && message.startsWith(`${parameter}=`);
  assert.ok(message.startsWith(`${c.field}: `) || specBound,
    `message ${JSON.stringify(message)} should start with ${JSON.stringify(`${c.field}: `)}`);
}

/** The EstimateError the API throws for a case (failing the test if it throws none). */
function apiError(c) {
  let thrown;
  assert.throws(() => calc.estimate(apiInput(c)), (error) => {
    thrown = error;
    return true;
  }, `${c.name}: expected an EstimateError`);
  return thrown;
}

const goodRequest = () => ({ config: corpusConfig('llama-3.1-8b.json') });
const goodResult = calc.estimate(goodRequest());

describe('the corpus', () => {
  test('holds at least 100 cases', () => {
    assert.ok(Array.isArray(cases));
    assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  });

  test('names are unique', () => {
    const seen = new Set();
    for (const c of cases) {
      assert.ok(!seen.has(c.name), `duplicate name ${JSON.stringify(c.name)}`);
      seen.add(c.name);
    }
  });

  test('every case is well formed and its placeholders expand', () => {
    for (const c of cases) {
      const label = JSON.stringify(c.name);
      assert.equal(typeof c.name, 'string', label);
      assert.ok(c.name.length > 0, label);
      assert.equal(typeof c.field, 'string', label);
      assert.ok(c.field.length > 0, label);
      assert.ok(c.message === undefined || typeof c.message === 'string', label);
      assert.equal(('request' in c) + ('request_text' in c), 1, `${label}: exactly one of request, request_text`);
      if ('request_text' in c) assert.equal(typeof c.request_text, 'string', label);
      else assert.notEqual(typeof c.request, 'string', `${label}: a bare string request belongs in request_text`);
      for (const key of Object.keys(c)) {
        assert.ok(['name', 'request', 'request_text', 'field', 'message'].includes(key), `${label}: unknown key ${key}`);
      }
      apiInput(c);
    }
  });
});

describe('the JS API', () => {
  for (const c of cases) {
    test(c.name, () => {
      const error = apiError(c);
      assert.ok(error instanceof calc.EstimateError, `${c.name}: not an EstimateError: ${error}`);
      assert.equal(error.name, 'EstimateError');
      assert.equal(error.field, c.field, error.message);
      assertMessage(c, error.message);
      // The instance survives: the next valid request still works, with the same answer.
      assert.deepEqual(calc.estimate(goodRequest()), goodResult);
    });
  }
});

// The CLI cases run as child processes, a few at a time (the suite's subtests run concurrently).
const CONCURRENCY = Math.min(8, Math.max(4, availableParallelism()));
const CHILD_TIMEOUT_MS = 30_000;

function runCli(input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'estimate', '--request', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    child.stdin.on('error', () => {});  // a child that exits early must not fail the write
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('the CLI (llm-mem estimate --request -)', { concurrency: CONCURRENCY }, () => {
  for (const c of cases) {
    test(c.name, async () => {
      const out = await runCli(cliInput(c));
      const message = c.message ?? apiError(c).message;
      assert.equal(out.signal, null, `killed by ${out.signal} (timeout ${CHILD_TIMEOUT_MS} ms); stderr: ${out.stderr}`);
      assert.equal(out.status, 2, out.stderr);
      assert.equal(out.stdout, '');
      assert.match(out.stderr, /^[^\r\n]*\n$/, 'stderr must be exactly one line');
      assert.equal(out.stderr, `llm-mem: ${message}\n`);
    });
  }
});
