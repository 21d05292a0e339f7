// A real headless browser for tests: Debian's chromium driven by playwright-core (no browser download).
// Without chromium a developer's run skips with a one-line notice; in CI (CI=true) it fails, because
// .ci/run installs chromium and a silent skip would hide a broken page.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env['KISD_CHROMIUM'] ?? '/usr/bin/chromium';

/** Whether the browser tests run here; prints the notice once when they skip. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI']) return true; // let the launch fail loudly
  console.warn(`status-page browser tests skipped: ${CHROMIUM} not found (install it: sudo apt-get install -y chromium)`);
  return false;
}

/**
 * Launches headless chromium with a fresh profile (a new --user-data-dir, which playwright takes as the
 * persistent-context directory) and returns its context; close() ends the browser. The background-networking
 * flags matter: without them chromium tries to reach Google services and floods a closed network with
 * refused connections.
 */
export async function launchBrowser(opts: { httpCredentials?: { username: string; password: string } } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'kisd-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    ...(opts.httpCredentials ? { httpCredentials: opts.httpCredentials } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
