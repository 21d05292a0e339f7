// The live status page in a real headless browser against the real `kisd run` on its embedded simulator,
// started at 08:29:50 KST on a KR trading day (shifted clock): the page loads with no console error, shows
// the phases and the feed, and updates itself as restart recovery completes phases 1 and 2, as the 08:30
// trigger runs the KR-feed phase and the feed switches to KR, and when the kill switch trips. /status.json and the page never carry a secret. A non-loopback bind without KISD_HEALTH_TOKEN is
// refused at start-up; with it, the page asks for the token.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { kstInstant, kstYmd } from '../../../src/core/kst.js';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { browserAvailable, launchBrowser } from '../../helpers/browser.js';
import { DaemonProcess, killDaemons, nextTradingDayAt, requireBuild } from '../daemon/daemon-harness.js';
import { runCli, writeTestConfig } from '../cli/cli-harness.js';

const run = browserAvailable();
let browser: BrowserContext | undefined;

beforeAll(async () => {
  requireBuild();
  if (run) browser = await launchBrowser();
});
afterAll(async () => {
  killDaemons();
  await browser?.close();
});

const SECRETS = [SIM_CREDENTIALS.appKey, SIM_CREDENTIALS.appSecret, `${SIM_CREDENTIALS.cano}-${SIM_CREDENTIALS.acntPrdtCd}`];

async function openPage(url: string, errors: string[]): Promise<Page> {
  const page = await browser!.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  return page;
}

describe.skipIf(!run)('status page in a browser', () => {
  it('shows phases and the feed, updates as phases complete, the feed switches and the kill switch trips, never a secret', { timeout: 120_000 }, async () => {
    const start = await nextTradingDayAt('08:29:50');
    const dirs = writeTestConfig({
      log: { level: 'info', console: 'json' },
      scheduler: { screening_universe_limit: 4 },
      feed: { tick_log_interval_sec: 1 },
    });
    const d = new DaemonProcess(dirs.configPath, {}, { at: start });
    try {
      const ready = await d.ready();
      const url = String(ready['healthUrl']);
      const errors: string[] = [];
      const page = await openPage(`${url}/`, errors);

      // Phases with their plan; the 08:30 KR-feed phase has not run yet.
      const phases = page.locator('#phases');
      await expect.poll(() => phases.innerText(), { timeout: 15_000 }).toContain('screening');
      for (const id of ['selection', 'kr-feed', 'trading', 'market-close', 'us-feed', 'daily-report']) expect(await phases.innerText()).toContain(id);
      expect(await page.locator('#now').innerText()).toContain(start.slice(0, 10));
      const row = (id: string) => async (): Promise<string> => (await page.locator('#phases tr', { hasText: id }).first().innerText()).replace(/\s+/g, ' ');
      expect(await row('kr-feed')()).toContain('pending due at 08:30');

      // Restart recovery runs the missed phases 1 and 2 (the page sees them running, then done), and at 08:30
      // the feed switches to the KR socket with the watchlist: all without a reload.
      expect(await row('screening')()).toMatch(/screening 06:00 (running|pending|waiting)/);
      await expect.poll(row('screening'), { timeout: 60_000, interval: 300 }).toMatch(/screening 06:00 done 08:29:\d\d 08:\d\d:\d\d 1\b/);
      await expect.poll(row('selection'), { timeout: 30_000, interval: 300 }).toMatch(/selection 07:00 09:00 done/);
      // The 08:30 trigger (cron on the daemon's clock) runs the KR-feed phase: pending → done on the page.
      await expect.poll(row('kr-feed'), { timeout: 30_000, interval: 300 }).toMatch(/kr-feed 08:30 done 08:3\d:\d\d 08:3\d:\d\d 1\b/);
      const feedText = async (): Promise<string> => (await page.locator('#feed-summary').innerText()).replace(/\s+/g, ' ');
      await expect.poll(feedText, { timeout: 20_000 }).toMatch(/market KR connection ready registrations (\d+) acknowledged \/ \1 desired/);
      await expect.poll(async () => (await page.locator('#feed-regs').innerText()).replace(/\s+/g, ' '), { timeout: 20_000 }).toMatch(/H0STCNT0 005930 acked/);

      // The kill switch, tripped (as a daily-loss breach writes it), shows with its reason and the reset.
      const killBox = page.locator('#kill');
      expect(await killBox.innerText()).toContain('ok');
      const nowMs = kstInstant(start) + 30_000;
      writeFileSync(
        join(dirs.stateDir, 'kill-switch.json'),
        JSON.stringify({ tripped: true, ymd: kstYmd(nowMs), trippedAt: `${start.slice(0, 10)} 08:30:20`, trippedAtMs: nowMs, reason: 'daily loss limit reached: -1,234,567 KRW', details: {} }),
      );
      await expect.poll(() => killBox.innerText(), { timeout: 20_000 }).toContain('tripped');
      expect(await killBox.innerText()).toContain('daily loss limit reached');
      expect(await killBox.innerText()).toContain('kisd risk reset --by');

      // The JSON twin, and no secret anywhere the page can see.
      const json = await (await fetch(`${url}/status.json`)).text();
      const html = await page.content();
      for (const s of SECRETS) {
        expect(json).not.toContain(s);
        expect(html).not.toContain(s);
      }
      expect(JSON.parse(json)).toMatchObject({ mode: 'sim', killSwitch: { tripped: true }, feed: { market: 'KR' } });
      expect((await fetch(`${url}/status.json`, { method: 'POST' })).status).toBe(405); // read-only
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      d.child.kill('SIGTERM');
      expect((await d.exited).code).toBe(0);
    }
  });

  it('refuses a non-loopback bind without a token; with KISD_HEALTH_TOKEN the page asks for it', { timeout: 60_000 }, async () => {
    const dirs = writeTestConfig({ log: { level: 'info', console: 'json' }, health: { host: '0.0.0.0', port: 0 }, scheduler: { enabled: false }, feed: { enabled: false } });
    const refused = await runCli(['--config', dirs.configPath, 'run']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('health.host: "0.0.0.0" is not a loopback address');
    expect(refused.stderr).toContain('KISD_HEALTH_TOKEN');

    const token = 'status-page-token-0123456789abcdef';
    const d = new DaemonProcess(dirs.configPath, { KISD_HEALTH_TOKEN: token });
    try {
      const url = String((await d.ready())['healthUrl']); // reached on loopback
      expect((await fetch(`${url}/status.json`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/status.json`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const anonymous = await browser!.newPage();
      await expect(anonymous.goto(`${url}/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/); // challenged, no credentials
      await anonymous.close();
      const authed = await launchBrowser({ httpCredentials: { username: 'operator', password: token } });
      try {
        const errors: string[] = [];
        const page = await authed.newPage();
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        expect((await page.goto(`${url}/`))?.status()).toBe(200);
        await expect.poll(() => page.locator('#phases').innerText(), { timeout: 15_000 }).toContain('screening');
        expect(errors).toEqual([]);
      } finally {
        await authed.close();
      }
      expect(d.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(token);
    } finally {
      d.child.kill('SIGTERM');
      expect((await d.exited).code).toBe(0);
    }
  });
});
