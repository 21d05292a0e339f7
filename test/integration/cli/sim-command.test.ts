// `kisd sim` prints the URLs it listens on, the credentials it accepts and client snippets, serves KIS to
// registered apps on their own accounts, and `kisd sim fault add|clear` scripts its faults.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { collect, requireBuild, runCli, spawnCli, waitForStdout, writeTestConfig } from './cli-harness.js';

beforeAll(() => requireBuild());

describe('kisd sim', () => {
  it('prints REST and WebSocket URLs, takes fault rules from the CLI, and stops on SIGINT', async () => {
    const dirs = writeTestConfig();
    const child = spawnCli(['--config', dirs.configPath, 'sim', '--port', '0', '--tick-rate', '0']);
    const done = collect(child);
    const banner = await waitForStdout(child, /Press Ctrl\+C/);
    const rest = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    const ws = /WebSocket\s+(ws:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    expect(rest).toBeDefined();
    expect(ws?.split(':')[2]).toBe(rest?.split(':')[2]); // one port for both
    // The OpenDART simulator beside it answers with the key it prints, and the snippet points kisd at it.
    const dart = /DART\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(OpenDART simulator; crtfc_key (\w{40});/.exec(banner);
    expect(dart, banner).not.toBeNull();
    const list = (await (await fetch(`${dart![1]}/api/list.json?crtfc_key=${dart![2]}&bgn_de=20261116&end_de=20261120&page_count=1`)).json()) as { status: string; total_count: number };
    expect(list.status).toBe('000');
    expect(list.total_count).toBeGreaterThan(0);
    expect(banner).toContain(`  dart:\n    enabled: true\n    base_url: ${dart![1]}`);

    const add = await runCli(['sim', 'fault', 'add', '--url', rest!, '--kind', 'http500', '--path', '/uapi/domestic-stock/v1/quotations/inquire-price', '--count', '2']);
    expect(add.code, add.stderr).toBe(0);
    const listed = (await (await fetch(`${rest}/__sim/faults`)).json()) as unknown[];
    expect(JSON.stringify(listed)).toContain('http500');

    const bad = await runCli(['sim', 'fault', 'add', '--url', rest!, '--kind', 'http999']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('refused');

    const clear = await runCli(['sim', 'fault', 'clear', '--url', rest!]);
    expect(clear.code).toBe(0);
    expect(JSON.stringify(await (await fetch(`${rest}/__sim/faults`)).json())).not.toContain('http500');

    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  }, 60_000); // five CLI processes: ~20 s at a load average of 14 on 2 cores
});

describe('kisd sim as a tool for other KIS clients', () => {
  const B = { app_key: 'PSclientB0000000000000000000000000000002', app_secret: 'secret-of-client-B-'.padEnd(60, 'b'), account_no: '50000002-01', hts_id: 'clientb' };
  const C = { app_key: 'PSclientC0000000000000000000000000000003', app_secret: 'secret-of-client-C-'.padEnd(60, 'c'), account_no: '50000003-01' };
  const headers = (app: { app_key: string; app_secret: string }, token: string, trId: string): Record<string, string> => ({
    'content-type': 'application/json; charset=utf-8',
    appkey: app.app_key,
    appsecret: app.app_secret,
    authorization: `Bearer ${token}`,
    tr_id: trId,
    custtype: 'P',
  });
  const balanceUrl = (rest: string, accountNo: string): string => {
    const [cano = '', prdt = ''] = accountNo.split('-');
    const q = new URLSearchParams({ CANO: cano, ACNT_PRDT_CD: prdt, AFHR_FLPR_YN: 'N', OFL_YN: '', INQR_DVSN: '01', UNPR_DVSN: '01', FUND_STTL_ICLD_YN: 'N', FNCG_AMT_AUTO_RDPT_YN: 'N', PRCS_DVSN: '00', CTX_AREA_FK100: '', CTX_AREA_NK100: '' });
    return `${rest}/uapi/domestic-stock/v1/trading/inquire-balance?${q}`;
  };
  const tokenOf = async (rest: string, app: { app_key: string; app_secret: string }): Promise<string> => {
    const r = await fetch(`${rest}/oauth2/tokenP`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', appkey: app.app_key, appsecret: app.app_secret }) });
    expect(r.status).toBe(200);
    return ((await r.json()) as { access_token: string }).access_token;
  };

  it('prints the credentials and client snippets, serves registered apps on their own accounts and rate budgets, and names --flavor on a paper tr_id', async () => {
    const dirs = writeTestConfig({ sim: { rate_limit_per_sec: 2 } });
    const credsPath = join(dirs.dir, 'clients.yaml');
    writeFileSync(credsPath, stringify({ apps: [B, C] }));
    const child = spawnCli(['--config', dirs.configPath, 'sim', '--port', '0', '--tick-rate', '0', '--credentials', credsPath]);
    const done = collect(child);
    try {
      const banner = await waitForStdout(child, /Press Ctrl\+C/);
      const rest = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
      const ws = /WebSocket\s+(ws:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
      // The built-in credentials in full, and snippets that carry the URLs it listens on.
      expect(banner).toContain(`app key     ${SIM_CREDENTIALS.appKey}`);
      expect(banner).toContain(`app secret  ${SIM_CREDENTIALS.appSecret}`);
      expect(banner).toContain(`account     ${SIM_CREDENTIALS.cano}-${SIM_CREDENTIALS.acntPrdtCd}`);
      expect(banner).toContain(`HTS id      ${SIM_CREDENTIALS.htsId}`);
      expect(banner).toContain(`rest_base_url: ${rest}`);
      expect(banner).toContain(`ws_url: ${ws}`);
      expect(banner).toContain(`prod: "${rest}"`);
      expect(banner).toContain(`ops: "${ws}"`);
      expect(banner).toContain(`my_app: "${SIM_CREDENTIALS.appKey}"`);
      expect(banner).toContain('2 more apps');
      // Registered secrets are never echoed.
      expect(banner).not.toContain(B.app_secret);
      expect(banner).not.toContain(B.app_key);

      // The built-in app's token is refused for B; B has its own token and its own account.
      const tokenB = await tokenOf(rest, B);
      const tokenC = await tokenOf(rest, C);
      const own = (await (await fetch(balanceUrl(rest, B.account_no), { headers: headers(B, tokenB, 'TTTC8434R') })).json()) as { rt_cd: string; output2: { dnca_tot_amt: string }[] };
      expect(own.rt_cd).toBe('0');
      expect(Number(own.output2[0]?.dnca_tot_amt)).toBeGreaterThan(0);
      const other = (await (await fetch(balanceUrl(rest, C.account_no), { headers: headers(B, tokenB, 'TTTC8434R') })).json()) as { msg_cd: string; msg1: string };
      expect(other).toMatchObject({ msg_cd: 'OPSQ2000', msg1: 'ERROR : INPUT INVALID_CHECK_ACNO' });

      // Separate budgets (2/s here): three concurrent calls of B overrun B's second; C's next call passes.
      const burst = await Promise.all([0, 1, 2].map(async () => ((await (await fetch(balanceUrl(rest, B.account_no), { headers: headers(B, tokenB, 'TTTC8434R') })).json()) as { msg_cd: string }).msg_cd));
      expect(burst).toContain('EGW00201');
      const c = (await (await fetch(balanceUrl(rest, C.account_no), { headers: headers(C, tokenC, 'TTTC8434R') })).json()) as { rt_cd: string };
      expect(c.rt_cd).toBe('0');

      // A paper tr_id (what KIS's sample sends with svr="vps") is refused with the fix in the message.
      // (C's second call this second: still within its budget of 2.)
      const paper = (await (await fetch(balanceUrl(rest, C.account_no), { headers: headers(C, tokenC, 'VTTC8434R') })).json()) as { msg_cd: string; msg1: string };
      expect(paper.msg_cd).toBe('OPSQ0002');
      expect(paper.msg1).toContain('kisd sim --flavor paper');
    } finally {
      child.kill('SIGINT');
    }
    expect((await done).code).toBe(0);
  });

  it('refuses a credentials file with a bad entry or a duplicate app key, naming the file and the field', async () => {
    const dirs = writeTestConfig();
    const bad = join(dirs.dir, 'bad.yaml');
    writeFileSync(bad, stringify([{ ...B, account_no: '5000000201' }]));
    const r1 = await runCli(['--config', dirs.configPath, 'sim', '--port', '0', '--credentials', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`${bad}: 0.account_no: expected "CANO-ACNT_PRDT_CD"`);
    expect(r1.stderr).not.toContain(B.app_secret);
    const dup = join(dirs.dir, 'dup.yaml');
    writeFileSync(dup, stringify([B, { ...C, app_key: B.app_key }]));
    const r2 = await runCli(['--config', dirs.configPath, 'sim', '--port', '0', '--credentials', dup]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${dup}: 1.app_key: registered twice`);
  });
});

describe('kisd sim --at --speed', () => {
  it('runs its clock from the given KST instant, faster: a token issued at once expires 24 simulated hours later', async () => {
    const dirs = writeTestConfig();
    const child = spawnCli(['--config', dirs.configPath, 'sim', '--port', '0', '--tick-rate', '0', '--at', '2026-12-07 09:00', '--speed', '60']);
    const done = collect(child);
    try {
      const banner = await waitForStdout(child, /Press Ctrl\+C/);
      expect(banner).toContain('clock from 2026-12-07 09:00:00 KST at 60x');
      const rest = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
      const c = SIM_CREDENTIALS;
      const r = await fetch(`${rest}/oauth2/tokenP`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', appkey: c.appKey, appsecret: c.appSecret }) });
      const expiry = ((await r.json()) as { access_token_token_expired: string }).access_token_token_expired;
      // Issued a few real seconds (a few simulated minutes) after 09:00 on the simulated day.
      expect(expiry).toMatch(/^2026-12-08 09:(0\d|1[0-5]):\d\d$/);
    } finally {
      child.kill('SIGINT');
    }
    expect((await done).code).toBe(0);
  });
});
