// Exact call accounting for tests: counters per (path, tr_id, status, msg_cd, fault) for the whole run, and a
// bounded ring of the latest requests. Other suites assert through it, e.g. stats.count({ path: '/oauth2/tokenP' }).

export interface SimRequestRecord {
  path: string;
  trId: string;
  status: number;
  /** msg_cd of a KIS-shaped body, or error_code of an OAuth error; '' otherwise */
  msgCd: string;
  /** fault kind when an injected fault shaped the reply */
  fault?: string;
  /** 'ok' | msg_cd | 'http<status>' | 'fault:<kind>' */
  outcome: string;
  /** wall clock (clock.nowMs) when the request arrived */
  atMs: number;
}

export interface SimStatsFilter {
  path?: string;
  trId?: string;
  status?: number;
  msgCd?: string;
  outcome?: string;
  fault?: string;
}

export interface SimStatsSnapshot {
  total: number;
  byPath: Record<string, number>;
  byTrId: Record<string, number>;
  byOutcome: Record<string, number>;
  tokenIssues: number;
  requests: SimRequestRecord[];
}

export interface SimStats {
  /** Number of recorded requests matching every given field (all-time, not limited by the ring). */
  count(filter?: SimStatsFilter): number;
  /** Tokens newly issued by /oauth2/tokenP (a re-served token is not an issue). */
  readonly tokenIssues: number;
  /** The latest requests, oldest first (at most ringSize). */
  requests(): readonly SimRequestRecord[];
  snapshot(): SimStatsSnapshot;
  /** Calls listener for every request as it is recorded (arrival for hung calls); returns an unsubscribe. */
  subscribe(listener: (r: SimRequestRecord) => void): () => void;
  reset(): void;
}

/** Derives the outcome label of a reply. */
export function outcomeOf(status: number, msgCd: string, fault?: string, ok?: boolean): string {
  if (fault) return `fault:${fault}`;
  if (ok) return 'ok';
  if (msgCd) return msgCd;
  return `http${status}`;
}

export class StatsRecorder implements SimStats {
  private readonly counters = new Map<string, { rec: Omit<SimRequestRecord, 'atMs'>; n: number }>();
  private ring: SimRequestRecord[] = [];
  private readonly listeners = new Set<(r: SimRequestRecord) => void>();
  private issues = 0;

  constructor(private readonly ringSize = 2000) {}

  record(r: SimRequestRecord): void {
    const key = [r.path, r.trId, r.status, r.msgCd, r.fault ?? '', r.outcome].join('\u0000');
    const c = this.counters.get(key);
    if (c) c.n++;
    else this.counters.set(key, { rec: { path: r.path, trId: r.trId, status: r.status, msgCd: r.msgCd, outcome: r.outcome, ...(r.fault ? { fault: r.fault } : {}) }, n: 1 });
    this.ring.push(r);
    // Trim in batches so a full ring costs O(1) amortised per request.
    if (this.ring.length >= 2 * this.ringSize) this.ring = this.ring.slice(-this.ringSize);
    for (const l of this.listeners) {
      try {
        l(r);
      } catch {
        // a test listener's failure must not turn into a simulator reply
      }
    }
  }

  noteTokenIssue(): void {
    this.issues++;
  }

  get tokenIssues(): number {
    return this.issues;
  }

  count(filter: SimStatsFilter = {}): number {
    let n = 0;
    for (const { rec, n: k } of this.counters.values()) {
      if (filter.path !== undefined && rec.path !== filter.path) continue;
      if (filter.trId !== undefined && rec.trId !== filter.trId) continue;
      if (filter.status !== undefined && rec.status !== filter.status) continue;
      if (filter.msgCd !== undefined && rec.msgCd !== filter.msgCd) continue;
      if (filter.outcome !== undefined && rec.outcome !== filter.outcome) continue;
      if (filter.fault !== undefined && rec.fault !== filter.fault) continue;
      n += k;
    }
    return n;
  }

  requests(): readonly SimRequestRecord[] {
    return this.ring.slice(-this.ringSize);
  }

  snapshot(): SimStatsSnapshot {
    const byPath: Record<string, number> = {};
    const byTrId: Record<string, number> = {};
    const byOutcome: Record<string, number> = {};
    let total = 0;
    for (const { rec, n } of this.counters.values()) {
      total += n;
      byPath[rec.path] = (byPath[rec.path] ?? 0) + n;
      if (rec.trId) byTrId[rec.trId] = (byTrId[rec.trId] ?? 0) + n;
      byOutcome[rec.outcome] = (byOutcome[rec.outcome] ?? 0) + n;
    }
    return { total, byPath, byTrId, byOutcome, tokenIssues: this.issues, requests: this.ring.slice(-this.ringSize) };
  }

  subscribe(listener: (r: SimRequestRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.counters.clear();
    this.ring = [];
    this.issues = 0;
  }
}
