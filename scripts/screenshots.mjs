// `npm run screenshots`: the first screen a visitor sees, at desktop and phone sizes, light and
// dark, a comparison and the embedding page, for docs/ and the README. Same Chromium and
// static server as the browser tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chartsDrawn, hashFor, startPage } from '../tests/support/browser.mjs';
import { repoRoot } from '../tests/support/scenarios.mjs';

const target = join(repoRoot, 'docs/screenshots');
mkdirSync(target, { recursive: true });
const site = await startPage();
// A scenario worth showing: Llama-3.1-8B served by vLLM on one H100, 16 requests of 32k tokens.
const serving = hashFor({ preset: 'llama-3.1-8b', framework: 'vllm', workload: { max_num_seqs: 16, max_model_len: 32768 },
  framework_config: { gpu: 'H100 80GB SXM' } });
const comparison = hashFor({ preset: 'qwen3-8b', framework: 'vllm', workload: { max_model_len: 32768 }, framework_config: { gpu: 'L40S' },
  compare: [
    { preset: 'qwen3-8b', framework: 'vllm', workload: { max_model_len: 32768 }, framework_config: { gpu: 'L4' } },
    { preset: 'qwen3-8b', framework: 'vllm', workload: { max_model_len: 32768, kv_cache_dtype: 'fp8' }, framework_config: { gpu: 'L4' } },
    { preset: 'qwen3-8b', framework: 'vllm', workload: { max_model_len: 32768 }, framework_config: { gpu: 'L40S' } }] });
const DESKTOP = { width: 1366, height: 768 }, PHONE = { width: 390, height: 844 };
const shots = [
  ['desktop-light', DESKTOP, 'light', serving], ['desktop-dark', DESKTOP, 'dark', serving],
  ['phone-light', PHONE, 'light', serving], ['phone-dark', PHONE, 'dark', serving],
  ['first-visit', DESKTOP, 'light', ''], ['comparison', DESKTOP, 'light', comparison, '[data-testid="comparison"]'],
  ['embed', DESKTOP, 'light', null],
];
for (const [name, viewport, colorScheme, hash, scrollTo] of shots) {
  const context = await site.browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  if (hash === null) {
    await page.goto(site.url + 'embed.html');
    await page.locator('llm-memory-calculator [part="verdict"]').waitFor();
  } else {
    await page.goto(site.url + hash);
    await page.waitForSelector('html[data-ready="true"]');
    await chartsDrawn(page);
  }
  if (scrollTo) await page.locator(scrollTo).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(target, `${name}.png`) });
  await context.close();
  console.log(`docs/screenshots/${name}.png`);
}
await site.close();
