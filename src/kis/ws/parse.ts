// Pure parser for KIS realtime text frames (fact sheet §5): `<enc>|<TR_ID>|<NNN>|<payload>` data frames
// (N records concatenated with '^', chunked by the TR's field count; enc "1" = base64 AES-256-CBC) and
// JSON control frames (subscribe replies, PINGPONG). Never throws: every bad frame is counted and reported.
import { decryptNoticePayload, type NoticeCipherKey } from './cipher.js';
import type { ControlReply, MalformedReason, ParseResult, RealtimeEvent } from './events.js';
import { scanFields } from './field-scanner.js';
import { RECORD_BUILDERS } from './records.js';
import { FIELD_COUNT, TR } from './wire.js';

export interface ParseStats {
  frames: number;
  dataFrames: number;
  records: number;
  controls: number;
  pingpongs: number;
  /** frames reported as 'malformed' */
  malformedFrames: number;
  /** records dropped inside an otherwise good data frame */
  rejectedRecords: number;
  byReason: Record<MalformedReason, number>;
}

export function createParseStats(): ParseStats {
  return {
    frames: 0,
    dataFrames: 0,
    records: 0,
    controls: 0,
    pingpongs: 0,
    malformedFrames: 0,
    rejectedRecords: 0,
    byReason: {
      empty: 0,
      'bad-frame': 0,
      'bad-count': 0,
      'field-count': 0,
      'short-record': 0,
      'bad-record': 0,
      'unknown-tr': 0,
      'no-key': 0,
      'bad-base64': 0,
      'decrypt-failed': 0,
      'bad-json': 0,
      'bad-control': 0,
    },
  };
}

export interface ParseOptions {
  /** AES key/iv per tr_id, from that TR's subscribe reply (needed for enc "1" frames). */
  keys?: { get(trId: string): NoticeCipherKey | undefined };
  /** Attach every raw field to each event (slower; for recording/debugging). Default false. */
  keepFields?: boolean;
  /** Stamped on every event as receivedAtMs. Default 0. */
  receivedAtMs?: number;
}

const MAX_DETAIL = 80;

function malformed(stats: ParseStats, reason: MalformedReason, detail: string): ParseResult {
  stats.malformedFrames++;
  stats.byReason[reason]++;
  return { kind: 'malformed', reason, detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function parseControl(text: string, stats: ParseStats): ParseResult {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return malformed(stats, 'bad-json', text);
  }
  const header = (msg as { header?: unknown } | null)?.header as Record<string, unknown> | undefined;
  if (typeof header !== 'object' || header === null) return malformed(stats, 'bad-control', 'no header');
  const trId = str(header.tr_id);
  if (trId === TR.pingpong) {
    stats.pingpongs++;
    return { kind: 'pingpong', text };
  }
  const body = (msg as { body?: unknown }).body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null || typeof body.msg_cd !== 'string') {
    return malformed(stats, 'bad-control', `tr_id ${trId || '(none)'} without body.msg_cd`);
  }
  const control: ControlReply = {
    trId,
    trKey: str(header.tr_key),
    encrypt: header.encrypt === 'Y',
    rtCd: str(body.rt_cd),
    msgCd: body.msg_cd,
    msg1: str(body.msg1),
  };
  const output = body.output as Record<string, unknown> | undefined;
  if (typeof output === 'object' && output !== null && typeof output.key === 'string' && typeof output.iv === 'string') {
    control.key = output.key;
    control.iv = output.iv;
  }
  stats.controls++;
  return { kind: 'control', control };
}

/** "NNN" record count: 1-3 digits; 0 when malformed. */
function parseCount(text: string, start: number, end: number): number {
  if (end <= start || end - start > 3) return 0;
  let n = 0;
  for (let p = start; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c < 48 || c > 57) return 0;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** Parses one text frame. Counts everything into `stats`. */
export function parseFrame(text: string, stats: ParseStats, opts: ParseOptions = {}): ParseResult {
  stats.frames++;
  if (text.length === 0) return malformed(stats, 'empty', '');
  const c0 = text.charCodeAt(0);
  if (c0 === 123 /* { */) return parseControl(text, stats);
  if ((c0 !== 48 && c0 !== 49) || text.charCodeAt(1) !== 124 /* | */) return malformed(stats, 'bad-frame', text);
  const trEnd = text.indexOf('|', 2);
  const countEnd = trEnd < 0 ? -1 : text.indexOf('|', trEnd + 1);
  if (countEnd < 0) return malformed(stats, 'bad-frame', text);
  const trId = text.slice(2, trEnd);
  const count = parseCount(text, trEnd + 1, countEnd);
  if (count < 1) return malformed(stats, 'bad-count', `${trId} count ${text.slice(trEnd + 1, countEnd)}`);
  const build = RECORD_BUILDERS[trId];
  const width = FIELD_COUNT[trId];
  if (build === undefined || width === undefined) return malformed(stats, 'unknown-tr', trId);

  let total: number;
  if (c0 === 49 /* encrypted */) {
    const key = opts.keys?.get(trId);
    if (key === undefined) return malformed(stats, 'no-key', trId);
    const plain = decryptNoticePayload(text.slice(countEnd + 1), key);
    if (!plain.ok) return malformed(stats, plain.reason, trId);
    total = scanFields(plain.text);
  } else {
    total = scanFields(text, countEnd + 1); // no payload copy on the hot path
  }

  let recordWidth = width;
  if (count === 1) {
    // Forward compatible: KIS has grown field lists at the end (notices went 23/24 -> 26); ignore extras.
    if (total < width) return malformed(stats, 'short-record', `${trId} has ${total} of ${width} fields`);
    // ...but an exact multiple is far likelier a miscounted multi-record frame than a grown schema.
    if (total % width === 0 && total > width) {
      return malformed(stats, 'field-count', `${trId} count 1 but ${total / width} records' worth of fields`);
    }
    recordWidth = total;
  } else if (total !== count * width) {
    // Without a record separator, a wrong total cannot be chunked safely: reject the whole frame.
    return malformed(stats, 'field-count', `${trId} ${count} records but ${total} fields (want ${count * width})`);
  }

  const receivedAtMs = opts.receivedAtMs ?? 0;
  const keepFields = opts.keepFields === true;
  const events: RealtimeEvent[] = [];
  let rejected = 0;
  for (let r = 0; r < count; r++) {
    const ev = build(trId, r * recordWidth, recordWidth, receivedAtMs, keepFields);
    if (ev === undefined) rejected++;
    else events.push(ev);
  }
  if (events.length === 0) return malformed(stats, 'bad-record', `${trId}: no usable record`);
  stats.dataFrames++;
  stats.records += events.length;
  if (rejected > 0) {
    stats.rejectedRecords += rejected;
    stats.byReason['bad-record'] += rejected;
  }
  return { kind: 'data', trId, events, rejected };
}
