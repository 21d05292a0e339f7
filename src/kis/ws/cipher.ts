// AES-256-CBC decryption of execution-notice payloads (fact sheet §5: base64(AES-256-CBC(PKCS7(text)))
// keyed by the UTF-8 bytes of the subscribe reply's output.key (32) / output.iv (16); OTA aes_cbc_base64_dec).
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** The key/iv pair KIS returns with a successful subscribe of an encrypted TR. */
export interface NoticeCipherKey {
  key: string;
  iv: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type DecryptOutcome = { ok: true; text: string } | { ok: false; reason: 'bad-base64' | 'decrypt-failed' };

/** Decrypts one payload; never throws. */
export function decryptNoticePayload(payload: string, cipherKey: NoticeCipherKey): DecryptOutcome {
  if (payload.length === 0 || payload.length % 4 !== 0 || !BASE64.test(payload)) return { ok: false, reason: 'bad-base64' };
  try {
    const decipher = createDecipheriv('aes-256-cbc', Buffer.from(cipherKey.key, 'utf8'), Buffer.from(cipherKey.iv, 'utf8'));
    const plain = Buffer.concat([decipher.update(Buffer.from(payload, 'base64')), decipher.final()]);
    return { ok: true, text: plain.toString('utf8') };
  } catch {
    // Wrong key length, wrong key (bad padding) or truncated ciphertext.
    return { ok: false, reason: 'decrypt-failed' };
  }
}

/** The inverse, for fixtures and the tests (the simulator has its own copy: src/kis and src/sim share nothing). */
export function encryptNoticePayload(text: string, cipherKey: NoticeCipherKey): string {
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(cipherKey.key, 'utf8'), Buffer.from(cipherKey.iv, 'utf8'));
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}
