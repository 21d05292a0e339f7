// The one table mapping KIS WebSocket control replies (OPSP codes, fact sheet §5) to what the session does
// (STYLE rule 5: broker codes map through one table, tested row by row).
import type { ControlReply } from './events.js';
import { OPSP } from './wire.js';

export type ControlAction =
  /** registration confirmed: OPSP0000, and OPSP0002 ALREADY IN SUBSCRIBE (seed 001 §4.1: the key is registered) */
  | 'acked'
  /** release confirmed (OPSP0001) */
  | 'released'
  /** release of a key the server does not know (OPSP0003): nothing registered, same end state as released */
  | 'release-unknown'
  /** over the per-session registration cap (OPSP0008): surface, do not retry in a loop */
  | 'over-cap'
  /** approval key refused (OPSP0011): invalidate it, re-issue once, retry */
  | 'invalid-approval'
  /** another session holds this app key (OPSP8996): close, back off, reconnect */
  | 'in-use'
  /** any other refusal (OPSP0007 internal error, OPSP8991 bad tr_id, unknown codes with rt_cd != 0) */
  | 'rejected';

const TABLE: Readonly<Record<string, ControlAction>> = {
  [OPSP.subscribed]: 'acked',
  [OPSP.alreadySubscribed]: 'acked',
  [OPSP.released]: 'released',
  [OPSP.releaseNotFound]: 'release-unknown',
  [OPSP.maxSubscribeOver]: 'over-cap',
  [OPSP.invalidApproval]: 'invalid-approval',
  [OPSP.alreadyInUse]: 'in-use',
  [OPSP.internalError]: 'rejected',
  [OPSP.invalidTrId]: 'rejected',
};

/** What a control reply means; unknown codes fall back on rt_cd ("0" ok) and OTA's msg1 "UNSUB" prefix test. */
export function classifyControl(reply: ControlReply): ControlAction {
  const known = TABLE[reply.msgCd];
  if (known !== undefined) return known;
  if (reply.rtCd === '0') return reply.msg1.trim().toUpperCase().startsWith('UNSUB') ? 'released' : 'acked';
  return 'rejected';
}

/** msg1 of OPSP0011 echoes the approval key ("invalid approval : <key>"): never let it reach a log. */
export function safeMsg1(reply: ControlReply): string {
  return reply.msg1.replace(/(invalid approval\s*:).*/i, '$1 [REDACTED]').trim();
}
