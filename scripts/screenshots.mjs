// `npm run screenshots`: the page at desktop and phone widths, light and dark, for docs/ and
// the README. Same Chromium and static server as the browser tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPage } from '../tests/support/browser.mjs';
import { repoRoot } from '../tests/support/scenarios.mjs';

const target = join(repoRoot, 'docs/screenshots');
mkdirSync(target, { recursive: true });
const site = await startPage();
// A scenario worth showing: Llama-3.1-8B served by vLLM on one H100, 16 requests of 32k tokens.
const scenario = '#' + encodeURIComponent(JSON.stringify({
  preset: 'llama-3.1-8b', framework: 'vllm',
  workload: { max_num_seqs: 16, max_model_len: 32768 },
  framework_config: { gpu_memory_gib: 79.19 },
}));
for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  for (const scheme of ['light', 'dark']) {
    const context = await site.browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(site.url + scenario);
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('#charts:not([data-pending])', { state: 'attached' });
    await page.screenshot({ path: join(target, `${name}-${scheme}.png`), fullPage: name === 'desktop' });
    await context.close();
    console.log(`docs/screenshots/${name}-${scheme}.png`);
  }
}
await site.close();
