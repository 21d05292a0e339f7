// Scripted failures for resilience tests: gateway 5xx (KIS JSON or an HTML error page), EGW00201, connection
// resets, hangs, malformed or empty 200s, a well-formed envelope whose output keys are missing (noOutput), and token expiry/revocation, each matched by path/tr_id, limited to
// the next N calls and/or drawn with a seeded probability, optionally after an order has been processed.
import { mulberry32 } from './market/prng.js';

export type FaultKind =
  | 'http500'
  | 'http502'
  | 'http503'
  | 'http504'
  | 'egw00201'
  | 'reset'
  | 'hang'
  | 'malformed'
  | 'empty'
  | 'noOutput'
  | 'expireToken'
  | 'revokeToken';

export const FAULT_KINDS: readonly FaultKind[] = ['http500', 'http502', 'http503', 'http504', 'egw00201', 'reset', 'hang', 'malformed', 'empty', 'noOutput', 'expireToken', 'revokeToken'];

export interface FaultRule {
  kind: FaultKind;
  /** exact request path and/or tr_id header; absent fields match anything (control paths never match) */
  match?: { path?: string; trId?: string };
  /** fire on the next N matching calls, then retire the rule; absent = unlimited */
  count?: number;
  /** chance (0..1) that a matching call fires, drawn from the simulator's seeded PRNG; absent = 1 */
  probability?: number;
  /** process the request normally (an order is booked), then fail the reply */
  afterAccept?: boolean;
  /** http5xx: reply with an HTML gateway page instead of KIS-shaped JSON */
  html?: boolean;
  /** hang: reply normally after this many ms (on the simulator clock); absent = never reply until close */
  delayMs?: number;
}

export interface FaultInjector {
  add(rule: FaultRule): string;
  remove(id: string): void;
  clear(): void;
  list(): FaultRule[];
}

/** Injector plus the router-side draw. */
export class FaultTable implements FaultInjector {
  private readonly rules = new Map<string, { rule: FaultRule; remaining: number | undefined }>();
  private nextId = 1;
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = mulberry32((seed ^ 0xfa017) >>> 0);
  }

  add(rule: FaultRule): string {
    validateRule(rule);
    const id = `fault-${this.nextId++}`;
    this.rules.set(id, { rule: { ...rule, ...(rule.match ? { match: { ...rule.match } } : {}) }, remaining: rule.count });
    return id;
  }

  remove(id: string): void {
    this.rules.delete(id);
  }

  clear(): void {
    this.rules.clear();
  }

  list(): FaultRule[] {
    return [...this.rules.values()].map(({ rule, remaining }) => ({ ...rule, ...(remaining !== undefined ? { count: remaining } : {}) }));
  }

  /**
   * The first rule (in insertion order) that fires for this call, consuming one of its count. A rule whose
   * probability draw fails does not fire and keeps its count.
   */
  take(path: string, trId: string): FaultRule | undefined {
    for (const [id, entry] of this.rules) {
      const m = entry.rule.match;
      if (m?.path !== undefined && m.path !== path) continue;
      if (m?.trId !== undefined && m.trId !== trId) continue;
      if (entry.rule.probability !== undefined && this.draw() >= entry.rule.probability) continue;
      if (entry.remaining !== undefined) {
        entry.remaining--;
        if (entry.remaining <= 0) this.rules.delete(id);
      }
      return entry.rule;
    }
    return undefined;
  }
}

/** Throws a TypeError naming the bad field (the control endpoint turns it into HTTP 400). */
export function validateRule(rule: FaultRule): void {
  if (!rule || typeof rule !== 'object') throw new TypeError('fault rule must be an object');
  if (!FAULT_KINDS.includes(rule.kind)) throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) throw new TypeError('count must be a positive integer');
  if (rule.probability !== undefined && !(typeof rule.probability === 'number' && rule.probability >= 0 && rule.probability <= 1)) {
    throw new TypeError('probability must be within 0..1');
  }
  if (rule.delayMs !== undefined && !(typeof rule.delayMs === 'number' && rule.delayMs >= 0)) throw new TypeError('delayMs must be >= 0');
  if (rule.match !== undefined && (typeof rule.match !== 'object' || rule.match === null)) throw new TypeError('match must be an object');
}
