// Pure builders for every text frame the simulated KIS WebSocket server sends (fact sheet §5):
// JSON control replies (OPSP codes), server PINGPONG, `enc|TR_ID|NNN|payload` data frames and the
// AES-256-CBC encryption of execution notices. Kept I/O-free so client parser tests can cross-check.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { kstHms, kstYmd } from '../../core/kst.js';

export { krTickRecord, krBookRecord, H0STCNT0_FIELD_COUNT, H0STASP0_FIELD_COUNT } from './kr-records.js';
export { usTickRecord, HDFSCNT0_FIELD_COUNT } from './us-records.js';
export { executionNoticeRecord, EXECUTION_NOTICE_FIELD_NAMES, H0STCNI0_FIELD_COUNT } from './execution-notice.js';

/** The OPSP control codes the simulator emits. */
export type ControlCode =
  | 'OPSP0000'
  | 'OPSP0001'
  | 'OPSP0002'
  | 'OPSP0003'
  | 'OPSP0008'
  | 'OPSP0011'
  | 'OPSP8991'
  | 'OPSP8996'
  | 'OPSP9999';

/** rt_cd and the default msg1 of each code (fact sheet §5 table). */
export const CONTROL_CODES: Readonly<Record<ControlCode, { rtCd: string; msg1: string }>> = {
  OPSP0000: { rtCd: '0', msg1: 'SUBSCRIBE SUCCESS' },
  // OTA only checks msg1[:5] == "UNSUB".
  OPSP0001: { rtCd: '0', msg1: 'UNSUBSCRIBE SUCCESS' },
  OPSP0002: { rtCd: '1', msg1: 'ALREADY IN SUBSCRIBE' },
  // OPSP0003 covers both a release of an unknown key and a missing input (seed 001 table); msg1 differs.
  OPSP0003: { rtCd: '1', msg1: 'UNSUBSCRIBE ERROR(not found!)' },
  OPSP0008: { rtCd: '1', msg1: 'MAX SUBSCRIBE OVER' },
  OPSP0011: { rtCd: '1', msg1: 'invalid approval : ' },
  // ❓ fact sheet: OPSP8991 "invalid tr_id", rt_cd unknown; we choose "1".
  OPSP8991: { rtCd: '1', msg1: 'invalid tr_id' },
  OPSP8996: { rtCd: '9', msg1: 'ALREADY IN USE appkey' },
  // ❓ not in the fact sheet: our reply to a text frame that is not JSON (third-party reports of KIS
  // answering malformed input with a JSON PARSING ERROR); clients should treat unknown codes as errors.
  OPSP9999: { rtCd: '9', msg1: 'JSON PARSING ERROR : invalid json format' },
};

export const MSG1_MANDATORY_INPUT_MISSING = 'MANDATORY INPUT MISSING';

export interface CipherKeys {
  /** 32 ASCII chars: the AES-256 key as UTF-8 bytes. */
  key: string;
  /** 16 ASCII chars: the CBC IV as UTF-8 bytes. */
  iv: string;
}

export interface ControlReplyInput {
  code: ControlCode;
  trId: string;
  trKey: string;
  /** "Y" when the TR's data frames are encrypted (execution notices). */
  encrypted?: boolean;
  /** Overrides the code's default msg1 (e.g. OPSP0011 appends the key). */
  msg1?: string;
  /** Present only on OPSP0000. */
  output?: CipherKeys;
}

/** `{"header":{tr_id,tr_key,encrypt},"body":{rt_cd,msg_cd,msg1[,output:{iv,key}]}}` */
export function controlReplyFrame(input: ControlReplyInput): string {
  const spec = CONTROL_CODES[input.code];
  const body: Record<string, unknown> = { rt_cd: spec.rtCd, msg_cd: input.code, msg1: input.msg1 ?? spec.msg1 };
  if (input.output) body['output'] = { iv: input.output.iv, key: input.output.key };
  return JSON.stringify({
    header: { tr_id: input.trId, tr_key: input.trKey, encrypt: input.encrypted ? 'Y' : 'N' },
    body,
  });
}

/** Server PINGPONG with the KST wall time as YYYYMMDDHHMMSS. */
export function pingPongFrame(nowMs: number): string {
  return JSON.stringify({ header: { tr_id: 'PINGPONG', datetime: `${kstYmd(nowMs)}${kstHms(nowMs)}` } });
}

/**
 * `0|TR_ID|NNN|f^f^…` — N records concatenated with `^` and no record separator (fact sheet §5).
 * Throws on 0 or more than 999 records, or on a field containing `^` or `|` (a builder bug).
 */
export function dataFrame(trId: string, records: readonly (readonly string[])[]): string {
  return `0|${trId}|${recordCount(records.length)}|${joinRecords(records)}`;
}

/** `1|TR_ID|NNN|base64(AES-256-CBC(payload))` with the subscription's key/iv. */
export function encryptedDataFrame(trId: string, records: readonly (readonly string[])[], keys: CipherKeys): string {
  return `1|${trId}|${recordCount(records.length)}|${encryptPayload(joinRecords(records), keys)}`;
}

export function encryptPayload(plain: string, keys: CipherKeys): string {
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(keys.key, 'utf8'), Buffer.from(keys.iv, 'utf8'));
  return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** Inverse of encryptPayload (PKCS7 unpadding); for tests and client cross-checks. */
export function decryptPayload(base64: string, keys: CipherKeys): string {
  const decipher = createDecipheriv('aes-256-cbc', Buffer.from(keys.key, 'utf8'), Buffer.from(keys.iv, 'utf8'));
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8');
}

/** Fresh key/iv for one subscription: lowercase letters, 32 and 16 chars, as KIS sends them. */
export function newCipherKeys(): CipherKeys {
  return { key: randomLetters(32), iv: randomLetters(16) };
}

/**
 * Frames a broken or hostile network path might deliver; the client must log and count them, never crash.
 * Cycles through the list for n > length.
 */
export function garbageFrames(n: number): (string | Buffer)[] {
  const samples: (string | Buffer)[] = [
    '0|H0STCNT0|001|',
    '0|H0STCNT0|002|005930^090000^71000',
    '{"header":{"tr_id":"H0STCNT0"',
    '7|H0STCNT0|001|a^b^c',
    '0|H0STCNT0|abc|005930',
    '1|H0STCNI0|001|!!!not-base64!!!',
    'PINGPONG',
    '',
    Buffer.from([0xff, 0x00, 0x13, 0x37]),
  ];
  const out: (string | Buffer)[] = [];
  for (let i = 0; i < n; i++) out.push(samples[i % samples.length]!);
  return out;
}

function recordCount(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new RangeError(`record count out of range 1..999: ${n}`);
  return String(n).padStart(3, '0');
}

function joinRecords(records: readonly (readonly string[])[]): string {
  const parts: string[] = [];
  for (const record of records) {
    for (const field of record) {
      if (field.includes('^') || field.includes('|')) throw new Error(`field contains a separator: ${JSON.stringify(field)}`);
      parts.push(field);
    }
  }
  return parts.join('^');
}

function randomLetters(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += String.fromCharCode(97 + (b % 26));
  return out;
}
