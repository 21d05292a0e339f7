// Secret values known at run time (app key/secret, account number, tokens, approval keys).
// The logger scrubs every registered value from every line it writes, so a secret that slips into an
// error message or a request dump still never reaches a log file.

const MIN_SECRET_LENGTH = 6;
/** Tokens and approval keys change daily: keep the newest this many; pinned values (credentials) stay forever. */
const MAX_ROTATING_SECRETS = 32;
const secrets = new Set<string>();
const pinned = new Set<string>();
let textPattern: RegExp | undefined;
let digitPattern: RegExp | undefined;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alternation(values: string[]): string {
  // Longest first so a token that contains an app key is masked whole.
  return values.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
}

/**
 * Registers a value to be masked wherever it appears in log output. Short values are ignored. Pinned values
 * (app key, secret, account) are kept forever; others (tokens, approval keys) only the newest 32, so the
 * pattern does not grow over months of daily tokens.
 */
export function registerSecret(value: string | undefined | null, opts: { pinned?: boolean } = {}): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  if (opts.pinned) pinned.add(value);
  if (secrets.has(value)) return;
  secrets.add(value);
  const rotating = [...secrets].filter((v) => !pinned.has(v));
  for (const old of rotating.slice(0, Math.max(0, rotating.length - MAX_ROTATING_SECRETS))) secrets.delete(old);
  const all = [...secrets];
  const text = all.filter((v) => !/^\d+$/.test(v));
  const digits = all.filter((v) => /^\d+$/.test(v));
  textPattern = text.length > 0 ? new RegExp(alternation(text), 'g') : undefined;
  // An all-digit secret (an account number) only counts as a whole number: "2350000001" is a turnover, not
  // account 50000001. Where it stands as a bare JSON number the mask is quoted, so the line stays valid JSON.
  digitPattern = digits.length > 0 ? new RegExp(`(?<![0-9.])(?:${alternation(digits)})(?![0-9.])`, 'g') : undefined;
}

/** A password inside any URL ("redis://user:secret@host") is masked even when nobody registered it. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s@/"]+@/gi;

/** Replaces every registered secret, and any password inside a URL, with a fixed mask; JSON lines stay valid JSON. */
export function scrubSecrets(text: string): string {
  let out = text.includes('://') ? text.replace(URL_PASSWORD, '$1[REDACTED]@') : text;
  if (textPattern) {
    textPattern.lastIndex = 0;
    out = out.replace(textPattern, '[REDACTED]');
  }
  if (digitPattern) {
    digitPattern.lastIndex = 0;
    out = out.replace(digitPattern, (_m: string, offset: number, whole: string) => {
      const before = whole.slice(0, offset).trimEnd().slice(-1);
      return before === ':' || before === ',' || before === '[' ? '"[REDACTED]"' : '[REDACTED]';
    });
  }
  return out;
}

/** "abcd…(40)" style preview for status output: never more than 4 characters of a secret. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '(unset)';
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** For tests only. */
export function clearSecretsForTest(): void {
  secrets.clear();
  pinned.clear();
  textPattern = undefined;
  digitPattern = undefined;
}
