// The OpenDART key (crtfc_key) comes only from the environment, like the KIS secrets (STYLE rule 9), and is
// registered for log scrubbing the moment it is read. Sim mode uses a fixed key the DART simulator knows.
import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../log/secrets.js';

export const DART_API_KEY_ENV = 'KISD_DART_API_KEY';

/** The key the DART simulator accepts by default (not a secret; registered anyway so scrub tests cover it). */
export const DART_SIM_API_KEY = 'kisdDartSimulatorKey00000000000000000001';

/**
 * KISD_DART_API_KEY, validated (40 letters/digits, as OpenDART issues them); undefined when unset and not
 * required. Throws ConfigError naming the variable — never its value.
 */
export function loadDartApiKey(env: NodeJS.ProcessEnv = process.env, opts: { required?: boolean } = {}): string | undefined {
  const raw = env[DART_API_KEY_ENV];
  if (raw === undefined || raw.trim() === '') {
    if (opts.required) throw new ConfigError(`environment: ${DART_API_KEY_ENV} is not set; get a key at opendart.fss.or.kr (인증키 신청) and put it in the environment file (e.g. /etc/kisd/kisd.env)`);
    return undefined;
  }
  const key = raw.trim();
  registerSecret(key, { pinned: true });
  if (!/^[0-9A-Za-z]{40}$/.test(key)) throw new ConfigError(`environment: ${DART_API_KEY_ENV} must be the 40-character key OpenDART issued (letters and digits); it has ${key.length} characters (value not shown)`);
  return key;
}
