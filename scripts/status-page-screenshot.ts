// Screenshot of a running daemon's status page (the README's docs/status-page.png), with Debian's chromium.
// Usage (after npm run build): node dist/scripts/status-page-screenshot.js http://127.0.0.1:PORT/ docs/status-page.png
// e.g. while `kisd run --at "<a weekday> 08:55" --speed 60` is in its session.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, out = 'docs/status-page.png'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node dist/scripts/status-page-screenshot.js <status page URL> [out.png]');
  process.exit(2);
}
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'kisd-chromium-')), {
  executablePath: process.env['KISD_CHROMIUM'] ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1500, height: 1100 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#phases table').waitFor({ timeout: 15_000 });
  await page.waitForTimeout(2_500); // one more poll, so every section is filled
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await context.close();
}
