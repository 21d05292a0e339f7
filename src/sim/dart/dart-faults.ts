// Scripted failures of the DART simulator, in the KIS simulator's style (../faults.ts): a rule matches a path,
// fires on the next N calls and/or with a seeded probability, and shapes the reply — any DART status in the
// body (013, 020, 800, 900 …), an HTTP 5xx or HTML page, a reset, a hang, a cut-off or wrongly shaped body.
import { mulberry32 } from '../market/prng.js';

export type DartFaultKind = 'status' | 'http500' | 'http503' | 'html' | 'reset' | 'hang' | 'malformed' | 'wrongShape' | 'empty';

export const DART_FAULT_KINDS: readonly DartFaultKind[] = ['status', 'http500', 'http503', 'html', 'reset', 'hang', 'malformed', 'wrongShape', 'empty'];

export interface DartFaultRule {
  kind: DartFaultKind;
  /** kind 'status': the 3-digit status to answer with (message from the guide's table) */
  status?: string;
  /** exact request path; absent matches every API path (control paths never match) */
  match?: { path?: string };
  /** fire on the next N matching calls, then retire; absent = unlimited */
  count?: number;
  /** chance (0..1) a matching call fires, from the simulator's seeded PRNG; absent = 1 */
  probability?: number;
  /** hang: answer normally after this many ms on the simulator clock; absent = never answer until close */
  delayMs?: number;
}

export class DartFaultTable {
  private readonly rules = new Map<string, { rule: DartFaultRule; remaining: number | undefined }>();
  private nextId = 1;
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = mulberry32((seed ^ 0xda27fa) >>> 0);
  }

  /** Adds a rule; throws TypeError naming the bad field. */
  add(rule: DartFaultRule): string {
    if (!rule || typeof rule !== 'object' || !DART_FAULT_KINDS.includes(rule.kind)) throw new TypeError(`fault kind must be one of ${DART_FAULT_KINDS.join(', ')}`);
    if (rule.kind === 'status' && !/^\d{3}$/.test(rule.status ?? '')) throw new TypeError('a status fault needs status: a 3-digit DART code such as "020"');
    if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) throw new TypeError('count must be a positive integer');
    if (rule.probability !== undefined && !(typeof rule.probability === 'number' && rule.probability >= 0 && rule.probability <= 1)) throw new TypeError('probability must be within 0..1');
    if (rule.delayMs !== undefined && !(typeof rule.delayMs === 'number' && rule.delayMs >= 0)) throw new TypeError('delayMs must be >= 0');
    const id = `dart-fault-${this.nextId++}`;
    this.rules.set(id, { rule: { ...rule, ...(rule.match ? { match: { ...rule.match } } : {}) }, remaining: rule.count });
    return id;
  }

  remove(id: string): void {
    this.rules.delete(id);
  }

  clear(): void {
    this.rules.clear();
  }

  list(): DartFaultRule[] {
    return [...this.rules.values()].map(({ rule, remaining }) => ({ ...rule, ...(remaining !== undefined ? { count: remaining } : {}) }));
  }

  /** The first rule that fires for this path, consuming one of its count (a failed probability draw keeps it). */
  take(path: string): DartFaultRule | undefined {
    for (const [id, entry] of this.rules) {
      if (entry.rule.match?.path !== undefined && entry.rule.match.path !== path) continue;
      if (entry.rule.probability !== undefined && this.draw() >= entry.rule.probability) continue;
      if (entry.remaining !== undefined && --entry.remaining <= 0) this.rules.delete(id);
      return entry.rule;
    }
    return undefined;
  }
}
