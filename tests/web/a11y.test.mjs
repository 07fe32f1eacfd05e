// Accessibility: axe-core's audit (@axe-core/playwright, in Debian's Chromium) of the page in
// the states a visitor meets (the default, vLLM, training, a comparison, an error), light and
// dark, desktop and phone: no serious or critical finding. And a journey by keyboard only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chartsDrawn, hashFor, startPage } from '../support/browser.mjs';

let site;
before(async () => { site = await startPage(); });
after(async () => { await site.close(); });

const STATES = {
  default: '',
  vllm: hashFor({ preset: 'llama-3.1-8b', framework: 'vllm', workload: { max_model_len: 32768 }, framework_config: { gpu: 'L4' } }),
  training: hashFor({ preset: 'llama-3.1-8b', workload: { mode: 'training' }, framework_config: { gpu: 'RTX 4090', fine_tuning: 'lora' } }),
  comparison: hashFor({ preset: 'qwen3-8b', framework_config: { gpu: 'H100' },
    compare: [{ preset: 'qwen3-8b', framework_config: { gpu: 'H100' } }, { preset: 'llama-3.1-8b', framework: 'vllm', framework_config: { gpu: 'L4' } }] }),
  error: hashFor({ config: '{"hidden_size": 4096', framework_config: { gpu: 'H100' } }),
};
const VIEWPORTS = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } };

for (const [state, hash] of Object.entries(STATES)) {
  test(`axe: no serious or critical finding in the ${state} state, light and dark, desktop and phone`, async () => {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const context = await site.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(site.url + hash);
      await page.waitForSelector('html[data-ready="true"]');
      await chartsDrawn(page);
      for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme });  // the page's colours follow prefers-color-scheme alone
        const { violations } = await new AxeBuilder({ page }).analyze();
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [],
          `${state}, ${name}, ${colorScheme}`);
      }
      await context.close();
    }
  });
}

test('keyboard only: pick a model, pick a GPU, read the verdict, copy the Markdown', async () => {
  const context = await site.browser.newContext({ viewport: VIEWPORTS.desktop, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(site.url);
  await page.waitForSelector('html[data-ready="true"]');
  const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.id);
  // Tab from the top of the page to the model list: the first control on the page.
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'preset');
  await page.keyboard.press('End');  // the last model in the list (a select changes on its keys)
  const model = await page.$eval('[data-testid="preset"]', (select) => select.selectedOptions[0].textContent);
  assert.notEqual(model, 'meta-llama/Llama-3.1-8B');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'preset-search');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'framework_config.gpu');
  // Type-ahead picks a card by its name.
  await page.keyboard.type('RTX 4090');
  assert.match(await page.$eval('[data-testid="framework_config.gpu"]', (s) => s.value), /^RTX 4090/);
  await chartsDrawn(page);
  const verdict = await page.textContent('[data-testid="verdict"]');
  assert.match(verdict, /RTX 4090/);
  assert.match(await page.textContent('[data-testid="summary"]'), new RegExp(model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  // On to the exports, by Tab alone.
  for (let i = 0; i < 40 && (await focused()) !== 'export-markdown'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'export-markdown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="export-status"]').textContent.length > 0);
  const markdown = await page.$eval('[data-testid="export-text"]', (node) => node.value);
  assert.match(markdown, /RTX 4090/);
  assert.ok(markdown.includes(verdict.trim()), markdown);
  await context.close();
});
