// Pure parsing of KIS OAuth replies and the error table (one assertion per row).
import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { registerSecret } from '../../../src/log/secrets.js';
import {
  OAUTH_ERROR_TABLE,
  oauthErrorFromReply,
  parseAccessTokenReply,
  parseApprovalKeyReply,
  parseRevokeReply,
} from '../../../src/kis/auth/oauth-wire.js';
import { formatRemaining } from '../../../src/kis/auth/format-remaining.js';

const NOW = kstInstant('2023-12-21 08:16:59');

describe('parseAccessTokenReply', () => {
  it('prefers access_token_token_expired (KST) over a drifting expires_in', () => {
    const body = JSON.stringify({
      access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.x.y',
      token_type: 'Bearer',
      expires_in: 86400 - 4000,
      access_token_token_expired: '2023-12-22 08:16:59',
    });
    const t = parseAccessTokenReply(200, body, NOW);
    expect(t.expiresAtEpochMs).toBe(kstInstant('2023-12-22 08:16:59'));
    expect(t.expiresAtEpochMs - NOW).toBe(86_400_000);
    expect(t.expiresAtKst).toBe('2023-12-22 08:16:59');
    expect(t.expiresInSec).toBe(82400);
    expect(t.tokenType).toBe('Bearer');
    expect(t.issuedAtEpochMs).toBe(NOW);
  });

  it('falls back to expires_in when the KST string is missing, malformed or in the past', () => {
    for (const expired of [undefined, '2023/12/22 08:16', '2023-12-20 08:00:00']) {
      const t = parseAccessTokenReply(200, JSON.stringify({ access_token: 'abcdefgh', expires_in: 3600, access_token_token_expired: expired }), NOW);
      expect(t.expiresAtEpochMs).toBe(NOW + 3_600_000);
      expect(t.expiresAtKst).toBe('2023-12-21 09:16:59');
    }
  });

  it('rejects replies without a token or without any expiry as retryable bad responses', () => {
    for (const body of ['not json', '[]', JSON.stringify({ token_type: 'Bearer' }), JSON.stringify({ access_token: 'abcdefgh' })]) {
      expect(() => parseAccessTokenReply(200, body, NOW)).toThrow(expect.objectContaining({ code: 'KIS_AUTH_BAD_RESPONSE', disposition: 'retryable' }));
    }
  });

  it('an error_code in a 200 body is still an error', () => {
    const body = JSON.stringify({ error_code: 'EGW00133', error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' });
    expect(() => parseAccessTokenReply(200, body, NOW)).toThrow(expect.objectContaining({ code: 'KIS_AUTH_ISSUE_TOO_OFTEN' }));
  });
});

describe('OAuth error table', () => {
  for (const [kisCode, row] of Object.entries(OAUTH_ERROR_TABLE)) {
    it(`${kisCode} → ${row.code} (${row.disposition})`, () => {
      const err = oauthErrorFromReply('/oauth2/tokenP', 403, JSON.stringify({ error_code: kisCode, error_description: 'desc' }));
      expect(err.code).toBe(row.code);
      expect(err.disposition).toBe(row.disposition);
      expect(err.kisCode).toBe(kisCode);
      expect(err.httpStatus).toBe(403);
      expect(err.message).toContain(kisCode);
    });
  }

  it('unknown codes: fatal on 4xx, retryable on 5xx; no code at all: by status', () => {
    expect(oauthErrorFromReply('/p', 403, JSON.stringify({ error_code: 'EGW00999', error_description: 'x' })).disposition).toBe('fatal');
    expect(oauthErrorFromReply('/p', 500, JSON.stringify({ error_code: 'EGW00999', error_description: 'x' })).disposition).toBe('retryable');
    expect(oauthErrorFromReply('/p', 502, '<html>bad gateway</html>')).toMatchObject({ code: 'KIS_AUTH_REJECTED', disposition: 'retryable' });
    expect(oauthErrorFromReply('/p', 404, '')).toMatchObject({ code: 'KIS_AUTH_REJECTED', disposition: 'fatal' });
  });

  it('scrubs registered secrets out of an echoed error_description', () => {
    const key = 'PSsecretAppKeyInTheMessage42';
    registerSecret(key);
    const err = oauthErrorFromReply('/oauth2/tokenP', 403, JSON.stringify({ error_code: 'EGW00103', error_description: `bad appkey ${key}` }));
    expect(err.message).not.toContain(key);
  });
});

describe('approval and revoke replies', () => {
  it('parses approval_key and rejects a reply without it', () => {
    expect(parseApprovalKeyReply(200, JSON.stringify({ approval_key: 'a1b2c3d4-e5f6' }), NOW)).toEqual({ value: 'a1b2c3d4-e5f6', issuedAtEpochMs: NOW });
    expect(() => parseApprovalKeyReply(200, '{}', NOW)).toThrow(expect.objectContaining({ code: 'KIS_AUTH_BAD_RESPONSE' }));
    expect(() => parseApprovalKeyReply(403, JSON.stringify({ error_code: 'EGW00105', error_description: 'x' }), NOW)).toThrow(
      expect.objectContaining({ code: 'KIS_AUTH_INVALID_APP_SECRET' }),
    );
  });

  it('revoke: 200 ok, error_code throws', () => {
    expect(() => parseRevokeReply(200, JSON.stringify({ code: 200, message: '접근토큰 폐기에 성공하였습니다' }))).not.toThrow();
    expect(() => parseRevokeReply(403, JSON.stringify({ error_code: 'EGW00103', error_description: 'x' }))).toThrow();
  });
});

describe('formatRemaining', () => {
  it('formats hours, minutes and expiry', () => {
    expect(formatRemaining(19 * 3_600_000 + 30 * 60_000 + 5000)).toBe('19 h 30 min');
    expect(formatRemaining(4 * 60_000 + 5000)).toBe('4 min 05 s');
    expect(formatRemaining(12_000)).toBe('12 s');
    expect(formatRemaining(-120_000)).toBe('expired 2 min 00 s ago');
  });
});
