// The same request through the page, the component and the CLI: the same verdict, word for word,
// on a sample of the vLLM grid of tests/wasm/coherence.test.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hashFor, startPage } from '../support/browser.mjs';
import { vllmGrid } from '../support/grid.mjs';
import { repoRoot } from '../support/scenarios.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

// Every 20th scenario of the grid: each engine outcome, GPU and version appears.
const sample = vllmGrid().filter((_, i) => i % 20 === 0);

test(`${sample.length} scenarios: page, component and CLI show one and the same verdict`, async () => {
  const host = await site.browser.newPage();
  await host.goto(site.url + 'embed.html');
  const statuses = new Set();
  for (const { name, request } of sample) {
    const cli = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--request', '-'],
      { input: JSON.stringify(request), encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const expected = JSON.parse(cli.stdout).verdict;
    statuses.add(expected.status);

    const page = await site.open(hashFor(request));
    const shown = await page.$$eval('[data-testid="verdict"]', (nodes) => nodes.map((n) => [n.dataset.status, n.textContent]));
    assert.deepEqual(shown, [[expected.status, expected.summary]], name);
    assert.deepEqual(page.problems, [], name);
    await page.close();

    const model = request.config === undefined ? null : name.split(' ')[0].replace(/\.json$/, '');
    const component = await host.evaluate(async ({ model, request }) => {
      const node = document.createElement('llm-memory-calculator');
      const attributes = { model, framework: 'vllm', tp: request.parallelism.tensor_parallel_size,
        context: request.workload.max_model_len, gpu: request.framework_config.gpu,
        'vllm-version': request.framework_config.vllm_version };
      for (const [key, value] of Object.entries(attributes)) if (value !== undefined && value !== null) node.setAttribute(key, String(value));
      document.body.append(node);
      for (let i = 0; i < 200; i++) {
        const verdict = node.shadowRoot.querySelector('.fit');
        if (verdict) { node.remove(); return [verdict.dataset.status, verdict.textContent]; }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return null;
    }, { model, request });
    assert.deepEqual(component, [expected.status, expected.summary], name);
  }
  assert.ok(statuses.size >= 3, [...statuses].join(', '));
  await host.close();
});
