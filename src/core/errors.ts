// Every error kisd raises carries a stable code and a disposition (STYLE rule 5):
// - retryable:  the same call may succeed later (5xx, network, rate limit, token refresh);
// - fatal:      repeating it will not help (bad params, business rejection, config);
// - unresolved: an order that may or may not have reached the broker; never resend, reconcile.

export type Disposition = 'retryable' | 'fatal' | 'unresolved';

export class KisdError extends Error {
  readonly code: string;
  readonly disposition: Disposition;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    opts: { disposition?: Disposition; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.disposition = opts.disposition ?? 'fatal';
    this.details = Object.freeze({ ...(opts.details ?? {}) });
  }

  get retryable(): boolean {
    return this.disposition === 'retryable';
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, disposition: this.disposition, message: this.message, ...this.details };
  }
}

/** A configuration problem: names the file, the field path and the accepted values. */
export class ConfigError extends KisdError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('KISD_CONFIG', message, { disposition: 'fatal', details });
  }
}

/** Operation aborted through an AbortSignal (shutdown, deadline). */
export class AbortedError extends KisdError {
  constructor(message = 'operation aborted') {
    super('KISD_ABORTED', message, { disposition: 'fatal' });
  }
}

/** Turns anything thrown into a message string (never includes secrets: the logger redacts lines too). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
