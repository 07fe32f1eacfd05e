// The spec's usage example through the three front doors (JS API, CLI, page): same numbers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCalculator } from '../../wasm/index.mjs';
import { hashFor, shownBreakdown, startPage } from '../support/browser.mjs';
import { BREAKDOWN_KEYS, repoRoot, specExampleRequest, specVllmExampleRequest } from '../support/scenarios.mjs';

let site;
let calc;
before(async () => {
  site = await startPage();
  calc = await createCalculator();
});
after(async () => { await site.close(); });

for (const [name, request] of [['transformers', specExampleRequest()], ['vLLM', specVllmExampleRequest()]]) {
  test(`the spec example (${name}): JS API, CLI and page agree to the last digit`, async () => {
    const api = calc.estimate(request).breakdown;

    const cli = spawnSync(process.execPath, [join(repoRoot, 'wasm/cli.mjs'), 'estimate', '--request', '-'],
      { input: JSON.stringify(request), encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).breakdown, api);

    const page = await site.open(hashFor(request));
    const shown = await shownBreakdown(page);
    for (const key of BREAKDOWN_KEYS) {
      assert.equal(shown[key].value, api[key], key);
      assert.equal(shown[key].text, api[key].toFixed(2), key);
    }
    await page.close();
  });
}
