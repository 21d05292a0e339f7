// Shared test doubles for the KIS REST client tests.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { AccessToken, KisCredentials, TokenProvider } from '../../../src/kis/auth/types.js';

/** Hands out tokens in order; invalidating the current one moves to the next. */
export class FakeTokenProvider implements TokenProvider {
  private index = 0;
  readonly invalidated: string[] = [];
  gets = 0;
  /** Number of upcoming getAccessToken calls that reject with a retryable error. */
  failNext = 0;

  constructor(private readonly values: string[] = ['token-alpha-0001', 'token-bravo-0002', 'token-charlie-0003']) {}

  get current(): string {
    return this.values[Math.min(this.index, this.values.length - 1)]!;
  }

  async getAccessToken(): Promise<AccessToken> {
    this.gets++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('token endpoint unavailable');
    }
    return { value: this.current, expiresAtEpochMs: 4_000_000_000_000, issuedAtEpochMs: 0 };
  }

  async invalidateAccessToken(value: string): Promise<void> {
    this.invalidated.push(value);
    if (value === this.current) this.index++;
  }
}

export const TEST_CREDENTIALS: KisCredentials = {
  appKey: 'PSappkeyTEST0000000000000000000000',
  appSecret: 'secretTEST-secretTEST-secretTEST',
  cano: '50001234',
  acntPrdtCd: '01',
  htsId: 'testuser',
};

/** A pino logger whose JSON lines land in `lines`. */
export function memoryLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

export const silentLogger: Logger = pino({ level: 'silent' });
