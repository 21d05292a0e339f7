// `kisd sim --credentials <file>`: further app keys (each with its own account and its own per-second rate
// budget) for clients that share one simulator. The file is YAML or JSON: a list of apps, or { apps: [...] },
// each { app_key, app_secret, account_no: "CANO-ACNT_PRDT_CD", hts_id? }. These are simulator credentials,
// but a user may reuse real-looking keys, so errors and the start-up banner never echo a secret.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';

/** One app the simulator accepts (the shape of the simulator's SimApp). */
export interface SimAppCredentials {
  appKey: string;
  appSecret: string;
  /** "CANO-ACNT_PRDT_CD", e.g. "50000002-01" */
  accountNo: string;
  /** tr_key of its execution-notice subscription */
  htsId: string;
}

const appSchema = z.strictObject({
  app_key: z.string().min(8, 'expected an app key of at least 8 characters'),
  app_secret: z.string().min(8, 'expected an app secret of at least 8 characters'),
  account_no: z.string().regex(/^\d{8}-\d{2}$/, 'expected "CANO-ACNT_PRDT_CD" (8 digits, dash, 2 digits), e.g. "50000002-01"'),
  hts_id: z.string().regex(/^[A-Za-z0-9_]{1,16}$/, 'expected 1-16 letters, digits or _').optional(),
});
const fileSchema = z.union([z.array(appSchema).min(1, 'expected at least one app'), z.strictObject({ apps: z.array(appSchema).min(1, 'expected at least one app') })]);

/** Reads one credentials file. Throws ConfigError naming the file, the entry and the field (never a value). */
export function readSimAppsFile(path: string): SimAppCredentials[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: simulator credentials file not found (--credentials expects a YAML/JSON list of { app_key, app_secret, account_no, hts_id })`, { file: path });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`, { file: path });
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    // A union reports its branches' issues; show the list-shaped branch's (the documented form) unless the
    // file is clearly the { apps: [...] } form.
    const issues = r.error.issues.flatMap((i) => (i.code === 'invalid_union' ? (i.errors[raw && typeof raw === 'object' && !Array.isArray(raw) ? 1 : 0] ?? []) : [i]));
    const lines = issues.map((i) => `${path}: ${i.path.join('.') || '(top level)'}: ${i.code === 'unrecognized_keys' ? `unknown keys ${i.keys.join(', ')} (accepted: app_key, app_secret, account_no, hts_id)` : i.message}`);
    throw new ConfigError(`invalid simulator credentials file:\n  ${lines.join('\n  ')}`, { file: path });
  }
  const apps = Array.isArray(r.data) ? r.data : r.data.apps;
  return apps.map((a) => ({ appKey: a.app_key, appSecret: a.app_secret, accountNo: a.account_no, htsId: a.hts_id ?? `sim${a.account_no.slice(0, 8)}` }));
}

/**
 * The apps of every file, after `builtIn`, in order. Throws ConfigError when an app key is registered twice
 * (the simulator could not tell the two apps apart). Two app keys may name the same account (they then share its cash and holdings).
 */
export function mergeSimApps(builtIn: SimAppCredentials, files: readonly { path: string; apps: readonly SimAppCredentials[] }[]): SimAppCredentials[] {
  const all: SimAppCredentials[] = [builtIn];
  const seen = new Map<string, string>([[builtIn.appKey, 'the built-in simulator app']]);
  for (const f of files) {
    for (const [i, app] of f.apps.entries()) {
      const where = seen.get(app.appKey);
      if (where) throw new ConfigError(`${f.path}: ${i}.app_key: registered twice (also ${where}); give every client its own app key`, { file: f.path });
      seen.set(app.appKey, `${f.path} entry ${i}`);
      all.push(app);
    }
  }
  return all;
}
