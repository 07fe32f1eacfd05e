// The npm package as a user gets it: `npm pack`, installed into an empty project, its API
// imported, its CLI run, and a TypeScript file type-checked against its declarations.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../support/scenarios.mjs';

let project;
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options });

before(() => {
  project = mkdtempSync(join(tmpdir(), 'llm-mem-pack-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').pop();
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0', type: 'module', private: true }));
  // No dependencies to fetch: the package installs offline.
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(project, tarball)]);
});
after(() => rmSync(project, { recursive: true, force: true }));

const config = { model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32,
                 num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256, torch_dtype: 'bfloat16' };

test('the installed package imports and estimates', () => {
  writeFileSync(join(project, 'use.mjs'), `
    import { createCalculator } from 'llm-memory-calculator';
    const calc = await createCalculator();
    const result = calc.estimate({ config: ${JSON.stringify(config)}, framework: 'vllm' });
    console.log(JSON.stringify({ total: result.breakdown.total, params: result.model.total_parameters, version: calc.version() }));`);
  const out = JSON.parse(run('node', ['use.mjs']));
  assert.equal(out.params, 8030261248);
  assert.ok(out.total > 0);
  assert.match(out.version, /^\d+\.\d+\.\d+$/);
});

test('the installed CLI runs', () => {
  writeFileSync(join(project, 'config.json'), JSON.stringify(config));
  const out = run(join(project, 'node_modules/.bin/llm-mem'), ['estimate', '--config', 'config.json', '--framework', 'vllm', '--tp', '2']);
  assert.equal(JSON.parse(out).model.total_parameters, 8030261248);
  assert.throws(() => run(join(project, 'node_modules/.bin/llm-mem'), ['estimate', '--config', 'config.json', '--tp', '-1']),
    (error) => error.status === 2 && /parallelism.tensor_parallel_size/.test(error.stderr));
});

test('a TypeScript file type-checks against the declarations, and a wrong one does not', () => {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
  writeFileSync(join(project, 'good.ts'), `
    import { createCalculator, type EstimateRequest, type EstimateResponse } from 'llm-memory-calculator';
    const calc = await createCalculator();
    const request: EstimateRequest = { config: {}, framework: 'vllm', workload: { max_num_seqs: 64 },
      framework_config: { gpu_memory_gib: 79.19, fine_tuning: 'lora', lora_target_modules: ['q_proj', 'all-linear'] } };
    const response: EstimateResponse = calc.estimate(request);
    const tokens: number | undefined = response.kv_cache_capacity?.tokens;
    const vision: number = response.model.vision_parameters;
    const phase: 'forward_backward' | 'optimizer_step' | undefined = response.training?.peak_phase;
    const solved = calc.solve(request, 'workload.max_num_seqs');
    console.log(tokens, vision, phase, solved.value);`);
  run('node', [tsc, ...options, 'good.ts']);
  writeFileSync(join(project, 'bad.ts'), `
    import type { EstimateRequest } from 'llm-memory-calculator';
    const request: EstimateRequest = { config: {}, framework: 'tensorrt' };
    console.log(request);`);
  assert.throws(() => run('node', [tsc, ...options, 'bad.ts']), (error) => /tensorrt/.test(error.stdout));
});
