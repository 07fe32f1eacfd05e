// One field schema drives the core's validation, the CLI's flags and wasm/index.d.ts (the page's
// form is checked in tests/web/page.test.mjs): here, that they agree field by field.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { withRequestTypes } from '../../scripts/gen-types.mjs';
import { corpusConfig, repoRoot } from '../support/scenarios.mjs';

const calc = await createCalculator();
const schema = calc.schema();
const config = corpusConfig('llama-3.1-8b.json');

/** A value the field accepts on its own: its default, else one inside its bounds. */
function validValue(field) {
  if (field.default !== null) return field.default;
  if (field.choices) return field.choices[0];
  if (field.kind === 'boolean') return true;
  if (field.path === 'framework_config.gpu') return 'H100';
  if (field.path === 'framework_config.vllm_version') return '0.11.0';
  if (field.suggestions) return field.suggestions[0];  // a text field's value people type (an Ollama version)
  // A GGUF header's bytes per layer: one entry for each of the test config's layers.
  if (field.path === 'checkpoint.layer_bytes') return Array.from({ length: config.num_hidden_layers }, () => 100000);
  if (field.kind === 'integer_list') return [1, 2, 4];
  if (field.kind === 'integer') return Math.max(1, field.min);
  return field.min_open || field.max_open ? (field.min + field.max) / 2 : field.min;
}

/** A request that reads the field: its first engine, in its first mode. */
function requestWith(field, value) {
  const request = { config, framework: field.engines[0] ?? 'transformers' };
  if (field.modes.length === 1 && request.framework === 'transformers') request.workload = { mode: field.modes[0] };
  if (field.path === 'framework') return { ...request, framework: value };
  const [section, key] = field.path.split('.');
  request[section] = { ...(request[section] ?? {}), [key]: value };
  if (field.when) request[field.when.path.split('.')[0]] = { ...request[field.when.path.split('.')[0]], [field.when.path.split('.')[1]]: field.when.values[0] };
  return request;
}

test('the schema names every field once, with a kind, engines, modes, a label, a flag and help', () => {
  const paths = schema.fields.map((field) => field.path);
  assert.equal(new Set(paths).size, paths.length);
  assert.ok(schema.fields.length >= 50, String(schema.fields.length));
  for (const field of schema.fields) {
    assert.ok(field.label && field.help && field.flags.length > 0 && field.section, field.path);
    assert.ok(field.default !== null || field.default_note, `${field.path}: a default or how the engine decides it`);
  }
  const flags = schema.fields.flatMap((field) => field.flags);
  assert.equal(new Set(flags).size, flags.length, 'no flag names two fields');
});

test('the core accepts each field\'s valid value and refuses one outside its kind or bounds, naming it', () => {
  for (const field of schema.fields) {
    assert.doesNotThrow(() => calc.estimate(requestWith(field, validValue(field))), field.path);
    const bad = field.kind === 'integer' ? field.min - 1 : field.kind === 'number' ? (field.min_open ? field.min : field.min - 1)
      : field.kind === 'boolean' ? 'yes' : field.kind === 'choice' ? 'not-a-choice' : field.kind === 'text' ? 7
      : field.kind === 'integer_list' ? [0] : ['not-a-choice'];
    assert.throws(() => calc.estimate(requestWith(field, bad)), (error) => {
      assert.ok(error.field === field.path || error.field.startsWith(`${field.path}[`) || error.field === 'framework', `${field.path}: ${error.field}`);
      return true;
    }, field.path);
    if (field.kind === 'choice') {
      // The error lists the schema's choices, in its order.
      assert.throws(() => calc.estimate(requestWith(field, 'not-a-choice')), { message: new RegExp(`must be one of ${field.choices.map((c) => `"${c}"`).join(', ')}`) });
    }
  }
});

test('wasm/index.d.ts holds the request types the schema generates', () => {
  const text = readFileSync(join(repoRoot, 'wasm/index.d.ts'), 'utf8');
  assert.equal(text, withRequestTypes(text, schema), 'run `node scripts/gen-types.mjs` after changing the schema');
});

test('every field has a CLI flag that builds the same request as the JS API', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'llm-mem-schema-'));
  const file = join(scratch, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const help = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), '--help'], { encoding: 'utf8' }).stdout;
  for (const field of schema.fields) {
    for (const flag of field.flags) assert.ok(help.includes(flag), `${flag} in --help`);
    const value = validValue(field);
    const request = requestWith(field, value);
    const args = ['estimate', '--config', file];
    if (field.path !== 'framework') args.push('--framework', request.framework);
    if (request.workload?.mode && field.path !== 'workload.mode') args.push('--mode', request.workload.mode);
    if (field.when) args.push(schema.fields.find((f) => f.path === field.when.path).flags[0], field.when.values[0]);
    const text = Array.isArray(value) ? value.join(',') : String(value);
    args.push(field.kind === 'boolean' ? `${field.flags[0]}=${text}` : field.flags[0], ...(field.kind === 'boolean' ? [] : [text]));
    const out = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), ...args], { encoding: 'utf8' });
    assert.equal(out.status, 0, `${field.path}: ${out.stderr}`);
    assert.deepEqual(JSON.parse(out.stdout), calc.estimate(request), field.path);
  }
});
