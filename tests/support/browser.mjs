// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, and the page served
// by the project's own static server.
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { repoRoot } from './scenarios.mjs';

export async function startPage(root = join(repoRoot, 'web')) {
  const server = await serve(root, 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    browser,
    async open(hash = '') {
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(url + hash);
      await page.waitForSelector('html[data-ready="true"]');
      await chartsDrawn(page);
      page.problems = problems;
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
    },
  };
}

/** The charts follow the result a frame later (web/app/charts.js): wait until they are drawn. */
export const chartsDrawn = (page) => page.waitForSelector('#charts:not([data-pending])', { state: 'attached' });

/** The breakdown as the page shows it: the exact value behind each cell, and its text. */
export async function shownBreakdown(page) {
  return page.$$eval('[data-testid^="breakdown-"]', (cells) => Object.fromEntries(
    cells.map((cell) => [cell.dataset.testid.slice('breakdown-'.length), { value: Number(cell.dataset.value), text: cell.textContent }])));
}

/** The page's URL state for a request: '#' + the URI-encoded request. */
export const hashFor = (request) => '#' + encodeURIComponent(JSON.stringify(request));
