// Synthetic realtime flow: every interval, spends a budget of records/sec across all deliverable
// market-data registrations (round robin), and packs records of one session and TR into frames of up
// to maxRecordsPerFrame (KIS `NNN` > 1). Cheap enough for thousands of records per second.
import type { SimMarket } from '../contracts.js';
import type { Registration } from './registration-table.js';
import { DATA_TR_IDS, marketRecord, trTradesAt } from './tr-catalog.js';

export interface TickGeneratorOptions {
  recordsPerSec: number;
  intervalMs: number;
  maxRecordsPerFrame: number;
  market: SimMarket;
  /** Only emit a TR during the hours KIS would send it (see trTradesAt). */
  marketHoursOnly: boolean;
}

export type EmitFrame<Owner> = (owner: Owner, trId: string, records: string[][]) => void;

export class TickGenerator<Owner extends { readonly deliverable: boolean }> {
  private budget = 0;
  private cursor = 0;

  constructor(
    private readonly opts: TickGeneratorOptions,
    private readonly registrations: () => readonly Registration<Owner>[],
    private readonly emit: EmitFrame<Owner>,
  ) {}

  /** One interval's worth of records at wall time nowMs; returns how many records were emitted. */
  step(nowMs: number): number {
    const hoursOnly = this.opts.marketHoursOnly;
    const live = this.registrations().filter(
      (r) => r.owner?.deliverable === true && DATA_TR_IDS.has(r.trId) && (!hoursOnly || trTradesAt(r.trId, nowMs)),
    );
    if (live.length === 0) {
      this.budget = 0; // nobody listening: do not save up a burst
      return 0;
    }
    const { intervalMs, recordsPerSec, maxRecordsPerFrame, market } = this.opts;
    this.budget = Math.min(this.budget + (recordsPerSec * intervalMs) / 1000, Math.max(1, recordsPerSec));
    const n = Math.floor(this.budget);
    this.budget -= n;
    if (n === 0) return 0;

    const pending = new Map<Owner, Map<string, string[][]>>();
    let emitted = 0;
    // Symbols the market does not know yield no record; skip them without spending the budget, but
    // stop after a full round of misses (bounded loop).
    let consecutiveMisses = 0;
    while (emitted < n && consecutiveMisses < live.length) {
      const reg = live[this.cursor % live.length]!;
      this.cursor = (this.cursor + 1) % live.length;
      // Spread record times across the interval so consecutive records of one symbol differ.
      const tMs = nowMs - intervalMs + Math.floor(((emitted + 1) * intervalMs) / n);
      const record = marketRecord(market, reg.trId, reg.trKey, tMs, reg);
      if (!record || !reg.owner) {
        consecutiveMisses++;
        continue;
      }
      consecutiveMisses = 0;
      let byTr = pending.get(reg.owner);
      if (!byTr) pending.set(reg.owner, (byTr = new Map()));
      let batch = byTr.get(reg.trId);
      if (!batch) byTr.set(reg.trId, (batch = []));
      batch.push(record);
      emitted++;
      if (batch.length >= maxRecordsPerFrame) {
        this.emit(reg.owner, reg.trId, batch);
        byTr.set(reg.trId, []);
      }
    }
    for (const [owner, byTr] of pending) {
      for (const [trId, batch] of byTr) if (batch.length > 0) this.emit(owner, trId, batch);
    }
    return emitted;
  }
}
