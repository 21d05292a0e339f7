// Secrets (app key, app secret, account number CANO-ACNT_PRDT_CD, HTS id) come only from the environment
// or from a credentials file that must be mode 0600 — never from the committed YAML.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../log/secrets.js';
import type { KisCredentials } from '../kis/auth/types.js';
import type { KisdConfig } from './load.js';

/**
 * Credentials the embedded simulator registers. They are not secrets (the simulator is local), but they
 * are registered for scrubbing anyway so the "no secret in any log" tests cover the real code path.
 */
export const SIM_CREDENTIALS: Readonly<KisCredentials> = Object.freeze({
  appKey: 'PSsimAPPKEY0000kisdSimulatorAppKey000001',
  appSecret: 'simSECRETkisd0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  cano: '50000001',
  acntPrdtCd: '01',
  htsId: 'kisdsim',
});

const fileSchema = z.strictObject({
  app_key: z.string().min(16, 'expected the KIS app key (36+ characters)'),
  app_secret: z.string().min(16, 'expected the KIS app secret (180 characters)'),
  account_no: z.string().regex(/^\d{8}-\d{2}$/, 'expected "CANO-ACNT_PRDT_CD", e.g. "12345678-01"'),
  hts_id: z.string().default(''),
});

export function parseAccountNo(value: string, where: string): { cano: string; acntPrdtCd: string } {
  const m = /^(\d{8})-?(\d{2})$/.exec(value.trim());
  if (!m) throw new ConfigError(`${where}: expected "CANO-ACNT_PRDT_CD" (8 digits, dash, 2 digits), e.g. "12345678-01" (value not shown)`);
  return { cano: m[1] as string, acntPrdtCd: m[2] as string };
}

function fromFile(path: string): KisCredentials {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ConfigError(`${path}: credentials file not found; create it (mode 0600) or unset KISD_CREDENTIALS_FILE / credentials_file`, { file: path });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(`${path}: credentials file is readable by group/others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}`, { file: path });
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`, { file: path });
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    // Never echo values: they are secrets.
    const lines = r.error.issues.map((i) => `${path}: ${i.path.join('.') || '(top level)'}: ${i.code === 'unrecognized_keys' ? `unknown keys ${i.keys.join(', ')} (accepted: app_key, app_secret, account_no, hts_id)` : i.message}`);
    throw new ConfigError(`invalid credentials file:\n  ${lines.join('\n  ')}`, { file: path });
  }
  const acct = parseAccountNo(r.data.account_no, `${path}: account_no`);
  return { appKey: r.data.app_key, appSecret: r.data.app_secret, ...acct, htsId: r.data.hts_id };
}

function fromEnv(env: NodeJS.ProcessEnv): KisCredentials | undefined {
  const appKey = env['KISD_APP_KEY'];
  const appSecret = env['KISD_APP_SECRET'];
  const accountNo = env['KISD_ACCOUNT_NO'];
  if (!appKey && !appSecret && !accountNo) return undefined;
  const missing = [!appKey && 'KISD_APP_KEY', !appSecret && 'KISD_APP_SECRET', !accountNo && 'KISD_ACCOUNT_NO'].filter(Boolean);
  if (missing.length > 0) throw new ConfigError(`environment: ${missing.join(', ')} not set (the KIS credentials need all three; KISD_HTS_ID is optional)`);
  return { appKey: appKey as string, appSecret: appSecret as string, ...parseAccountNo(accountNo as string, 'environment: KISD_ACCOUNT_NO'), htsId: env['KISD_HTS_ID'] ?? '' };
}

/**
 * The credentials for this config: environment first, then the credentials file; in sim mode the built-in
 * simulator credentials when neither is given. Every value is registered for log scrubbing.
 */
export function loadCredentials(config: KisdConfig, env: NodeJS.ProcessEnv = process.env): KisCredentials {
  const file = env['KISD_CREDENTIALS_FILE'] ?? config.credentials_file;
  const creds = fromEnv(env) ?? (file ? fromFile(resolve(file)) : undefined) ?? (config.mode === 'sim' ? SIM_CREDENTIALS : undefined);
  if (!creds) {
    throw new ConfigError(
      `mode "${config.mode}" needs KIS credentials: set KISD_APP_KEY, KISD_APP_SECRET and KISD_ACCOUNT_NO (e.g. in /etc/kisd/kisd.env), or point credentials_file / KISD_CREDENTIALS_FILE at a 0600 file`,
      { file: config.source, credentials: true },
    );
  }
  const pinned = { pinned: true };
  registerSecret(creds.appKey, pinned);
  registerSecret(creds.appSecret, pinned);
  registerSecret(creds.cano, pinned);
  registerSecret(`${creds.cano}-${creds.acntPrdtCd}`, pinned);
  registerSecret(creds.htsId, pinned);
  return creds;
}

/** The compiled config as printable text with secrets masked (for `kisd config check`). */
export function describeCredentials(creds: KisCredentials): Record<string, string> {
  const mask = (v: string): string => (v ? `${v.slice(0, 2)}${'*'.repeat(Math.min(8, Math.max(0, v.length - 2)))} (${v.length} chars)` : '(unset)');
  return { app_key: mask(creds.appKey), app_secret: mask(creds.appSecret), account_no: `${creds.cano.slice(0, 2)}******-${creds.acntPrdtCd}`, hts_id: mask(creds.htsId) };
}
