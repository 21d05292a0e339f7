// Secret values known at run time (app key/secret, account number, tokens, approval keys).
// The logger scrubs every registered value from every line it writes, so a secret that slips into an
// error message or a request dump still never reaches a log file.

const MIN_SECRET_LENGTH = 6;
const secrets = new Set<string>();
let pattern: RegExp | undefined;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Registers a value to be masked wherever it appears in log output. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  // Longest first so a token that contains an app key is masked whole.
  pattern = new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
}

/** Replaces every registered secret in text with a fixed mask. */
export function scrubSecrets(text: string): string {
  if (!pattern) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, '[REDACTED]');
}

/** "abcd…(40)" style preview for status output: never more than 4 characters of a secret. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '(unset)';
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** For tests only. */
export function clearSecretsForTest(): void {
  secrets.clear();
  pattern = undefined;
}
