import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, compileConfig, defaultConfigPath } from '../../../src/config/load.js';
import { loadCredentials, SIM_CREDENTIALS } from '../../../src/config/credentials.js';
import { ConfigError } from '../../../src/core/errors.js';

function tmpFile(name: string, text: string, mode = 0o644): string {
  const dir = mkdtempSync(join(tmpdir(), 'kisd-cfg-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('the packaged default runs the simulator with the seed defaults', () => {
    const cfg = loadConfigFile(defaultConfigPath());
    expect(cfg.mode).toBe('sim');
    expect(cfg.kis.http.max_retries).toBe(8);
    expect(cfg.kis.http.cooldown_sec).toBe(180);
    expect(cfg.resolved.serverFlavor).toBe('real');
    expect(cfg.resolved.rateLimit.per_second).toBe(18);
    expect(Object.isFrozen(cfg.kis.http)).toBe(true);
  });

  it('the service template (deploy/kisd.yaml, installed as /etc/kisd/kisd.yaml) is valid and selects the paper server', () => {
    const cfg = loadConfigFile(join(defaultConfigPath(), '..', '..', 'deploy', 'kisd.yaml'));
    expect(cfg.resolved.restBaseUrl).toBe('https://openapivts.koreainvestment.com:29443');
    expect(cfg.resolved.rateLimit.per_second).toBe(2);
  });

  it('names the file, the field path, the accepted range and the value for an out-of-range number', () => {
    const file = tmpFile('bad.yaml', 'kis:\n  http:\n    max_retries: 50\n');
    const err = errorOf(() => loadConfigFile(file));
    expect(err.message).toContain(file);
    expect(err.message).toContain('kis.http.max_retries');
    expect(err.message).toMatch(/<=\s*20/);
    expect(err.message).toContain('got 50');
  });

  it('rejects unknown keys by name', () => {
    const err = errorOf(() => compileConfig({ kis: { htpp: {} } }, 'x.yaml'));
    expect(err.message).toContain('x.yaml: kis: unknown key "htpp"');
  });

  it('lists the accepted values of an enum', () => {
    const err = errorOf(() => compileConfig({ mode: 'live' }, 'x.yaml'));
    expect(err.message).toMatch(/mode: .*"sim".*"paper".*"real"/);
  });

  it('reports YAML syntax errors with the file and line', () => {
    const file = tmpFile('syntax.yaml', 'mode: sim\nkis: [\n');
    const err = errorOf(() => loadConfigFile(file));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/line \d+/);
  });

  it('refuses real mode without real_trading_confirmed unless it is a dry run', () => {
    const err = errorOf(() => compileConfig({ mode: 'real' }, 'x.yaml'));
    expect(err.message).toContain('x.yaml: real_trading_confirmed: mode "real" sends real orders');
    expect(compileConfig({ mode: 'real', dry_run: true }, 'x.yaml').mode).toBe('real');
    expect(compileConfig({ mode: 'real', real_trading_confirmed: true }, 'x.yaml').resolved.restBaseUrl).toBe('https://openapi.koreainvestment.com:9443');
  });

  it('refuses a watchlist the WebSocket registration cap cannot hold', () => {
    const kr = Array.from({ length: 20 }, (_, i) => String(100000 + i));
    const err = errorOf(() => compileConfig({ feed: { kr_watchlist: kr } }, 'x.yaml'));
    expect(err.message).toContain('feed.kr_watchlist: 20 symbols need 41 registrations');
    expect(compileConfig({ feed: { enabled: false, kr_watchlist: kr } }, 'x.yaml').feed.kr_watchlist).toHaveLength(20);
    expect(errorOf(() => compileConfig({ kis: { token: { check_interval_min: 45 } } }, 'x.yaml')).message).toContain('kis.token.check_interval_min: must divide 60');
  });

  it('applies cross-field checks', () => {
    const err = errorOf(() => compileConfig({ kis: { http: { backoff_base_ms: 5000, backoff_cap_ms: 1000 } } }, 'x.yaml'));
    expect(err.message).toContain('kis.http.backoff_cap_ms: must be >= kis.http.backoff_base_ms');
  });
});

describe('credentials', () => {
  const sim = compileConfig({}, 'x.yaml');
  const paper = compileConfig({ mode: 'paper' }, 'x.yaml');

  it('sim mode needs no keys', () => {
    expect(loadCredentials(sim, {})).toEqual(SIM_CREDENTIALS);
  });

  it('paper mode without credentials says what to set', () => {
    const err = errorOf(() => loadCredentials(paper, {}));
    expect(err.message).toContain('KISD_APP_KEY');
  });

  it('reads the environment', () => {
    const creds = loadCredentials(paper, { KISD_APP_KEY: 'PSenvkey0000000000', KISD_APP_SECRET: 'envsecret000000000000', KISD_ACCOUNT_NO: '12345678-01' });
    expect(creds).toMatchObject({ cano: '12345678', acntPrdtCd: '01' });
  });

  it('refuses a credentials file readable by others, and never echoes a secret', () => {
    const body = 'app_key: PSfilekey000000000000\napp_secret: filesecret0000000000000\naccount_no: "12345678-01"\n';
    const loose = tmpFile('creds.yaml', body, 0o644);
    const err = errorOf(() => loadCredentials(paper, { KISD_CREDENTIALS_FILE: loose }));
    expect(err.message).toContain('chmod 600');
    const tight = tmpFile('creds.yaml', body, 0o600);
    expect(loadCredentials(paper, { KISD_CREDENTIALS_FILE: tight }).appKey).toBe('PSfilekey000000000000');
    const bad = tmpFile('creds.yaml', 'app_key: PSfilekey000000000000\napp_secret: filesecret0000000000000\naccount_no: "1234"\n', 0o600);
    const err2 = errorOf(() => loadCredentials(paper, { KISD_CREDENTIALS_FILE: bad }));
    expect(err2.message).toContain('account_no');
    expect(err2.message).not.toContain('filesecret');
  });
});
