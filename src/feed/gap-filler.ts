// Gap-fill (issue 13 item 3): for every feed gap of today's KR session, the missed one-minute bars of every
// subscribed symbol are fetched through KIS's minute chart (inquire-time-itemchartprice, paged 30 bars per call
// by the REST adapter, drawing on the shared rate limiter), stored with backfilled = 1, and handed to whoever
// listens (the strategy runner) as back-filled bars — built by KIS from its trades, never from invented ticks.
// A gap is filled once its last minute has ended (so the boundary minutes come complete); while KIS does not
// answer, the remaining symbols are retried with backoff until the gap's day is over. Gaps are rows in
// feed_gaps: a restart resumes today's pending ones and abandons older ones (KIS serves only today's bars).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AbortedError, errorMessage } from '../core/errors.js';
import { formatKstTimestamp, kstAt, kstHms, kstYmd } from '../core/kst.js';
import { backoffDelayMs, type BackoffPolicy } from '../core/retry.js';
import type { FeedGapRow, FeedGapsRepo, MinuteBarRow, MinuteBarsRepo } from '../store/index.js';
import type { FeedGap } from './gap-tracker.js';

/** One bar as the KIS adapter returns it (src/kis/rest MinuteBar fits). */
export interface MinuteBarLike {
  /** "YYYYMMDD" */
  date: string;
  /** "HHMMSS", the start of the minute */
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The slice of the KIS REST adapter gap-fill calls (KisRestApi.fetchMinuteBars fits). */
export interface MinuteChartPort {
  fetchMinuteBars(code: string, fromHhmmss: string, toHhmmss: string, o?: { signal?: AbortSignal; date?: string; priority?: 'order' | 'normal' | 'bulk' }): Promise<MinuteBarLike[]>;
}

/** A bar KIS built for a minute the feed missed; `backfilled` tells it from a bar built from live ticks. */
export interface BackfilledBar {
  symbol: string;
  /** Start of the minute, epoch ms. */
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  backfilled: true;
  gapId: number;
}

export interface GapFillerOptions {
  clock: Clock;
  log: Logger;
  source: MinuteChartPort;
  gaps: FeedGapsRepo;
  bars: MinuteBarsRepo;
  /** The KR codes subscribed now (DualMarketFeed.krWatchlist). */
  symbols: () => readonly string[];
  /** Wait after the gap's last minute ends before asking KIS, so that minute is final. Default 2000 ms. */
  settleMs?: number;
  /** Between attempts while KIS fails. Default 5 s doubling to 60 s, 1 s jitter. */
  retry?: BackoffPolicy;
  random?: () => number;
}

const MINUTE_MS = 60_000;
/** "HH:MM:SS" KST, for log lines. */
const hhmmss = (epochMs: number): string => formatKstTimestamp(epochMs).slice(11);
const DEFAULT_RETRY: BackoffPolicy = { baseMs: 5_000, capMs: 60_000, jitterMs: 1_000 };

export class GapFiller {
  private readonly log: Logger;
  private readonly listeners = new Set<(bars: readonly BackfilledBar[]) => void>();
  private readonly abort = new AbortController();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(private readonly o: GapFillerOptions) {
    this.log = o.log.child({ component: 'gap-fill' });
  }

  /** Listens to back-filled bars (one call per symbol and gap, oldest first); returns an unsubscribe. */
  onBars(listener: (bars: readonly BackfilledBar[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resumes today's pending gaps (a restart during a fill); abandons earlier days' (KIS no longer serves them). */
  resumePending(): void {
    const today = kstYmd(this.o.clock.nowMs());
    for (const row of this.o.gaps.pending()) {
      if (row.day === today) this.schedule(row);
      else this.o.gaps.markAbandoned(row.id, `day ${row.day} is over: KIS serves minute bars of the current day only`);
    }
  }

  /** Records a gap the tracker found and fills it once its last minute has ended. */
  record(gap: FeedGap): void {
    const id = this.o.gaps.insert({ market: 'KR', day: gap.day, fromMs: gap.fromMs, toMs: gap.toMs, reason: gap.reason }, this.o.clock.nowMs());
    const row = this.o.gaps.get(id);
    if (!row) return;
    this.log.warn(
      { gapId: id, day: gap.day, from: hhmmss(gap.fromMs), to: hhmmss(gap.toMs), reason: gap.reason, symbols: this.o.symbols().length },
      `feed gap ${hhmmss(gap.fromMs)}–${hhmmss(gap.toMs)} KST (${gap.reason}): back-filling its minute bars`,
    );
    this.schedule(row);
  }

  /** Gaps waiting or being filled by this process. */
  queuedGaps(): number {
    return this.queued;
  }

  /** Stops filling (a gap in progress stays 'pending' for the next start); resolves when the work has wound down. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.chain;
  }

  private schedule(row: FeedGapRow): void {
    this.queued++;
    this.chain = this.chain
      .then(() => this.fill(row))
      .catch((err: unknown) => {
        if (!(err instanceof AbortedError)) this.log.error({ gapId: row.id, err: errorMessage(err) }, 'gap-fill failed');
      })
      .finally(() => this.queued--);
  }

  private async fill(gap: FeedGapRow): Promise<void> {
    const { clock } = this.o;
    const signal = this.abort.signal;
    const lastMinuteEndMs = Math.ceil(gap.toMs / MINUTE_MS) * MINUTE_MS;
    const waitMs = lastMinuteEndMs + (this.o.settleMs ?? 2_000) - clock.nowMs();
    if (waitMs > 0) await clock.sleep(waitMs, signal);
    const symbols = [...this.o.symbols()];
    const done = new Set<string>();
    let bars = 0;
    for (let attempt = 1; ; attempt++) {
      if (kstYmd(clock.nowMs()) !== gap.day) {
        this.o.gaps.markAbandoned(gap.id, `day ${gap.day} ended before KIS answered`);
        this.log.error({ gapId: gap.id }, `feed gap ${gap.day} abandoned: the day ended before KIS answered`);
        return;
      }
      let failure: unknown;
      for (const code of symbols) {
        if (done.has(code)) continue;
        try {
          bars += await this.fillSymbol(gap, code, signal);
          done.add(code);
        } catch (err) {
          if (signal.aborted) throw new AbortedError('gap-fill stopped');
          failure = err;
          break; // KIS is failing: do not spend the rate budget on the others until it answers again
        }
      }
      if (failure === undefined) {
        this.o.gaps.markFilled(gap.id, { symbols: symbols.length, bars }, clock.nowMs());
        this.log.info(
          { gapId: gap.id, from: hhmmss(gap.fromMs), to: hhmmss(gap.toMs), symbols: symbols.length, bars, attempts: attempt },
          `feed gap ${hhmmss(gap.fromMs)}–${hhmmss(gap.toMs)} KST filled: ${bars} minute bars of ${symbols.length} symbols`,
        );
        return;
      }
      const delayMs = backoffDelayMs(attempt, this.o.retry ?? DEFAULT_RETRY, this.o.random);
      this.o.gaps.recordAttempt(gap.id, errorMessage(failure));
      this.log.warn({ gapId: gap.id, attempt, filled: done.size, of: symbols.length, delayMs, err: errorMessage(failure) }, 'gap-fill: KIS minute chart failed; retrying');
      await clock.sleep(delayMs, signal);
    }
  }

  /** Fetches, stores and hands on one symbol's bars of the gap; returns how many. */
  private async fillSymbol(gap: FeedGapRow, code: string, signal: AbortSignal): Promise<number> {
    const fromHms = kstHms(Math.floor(gap.fromMs / MINUTE_MS) * MINUTE_MS);
    const toHms = kstHms(Math.ceil(gap.toMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS);
    const got = await this.o.source.fetchMinuteBars(code, fromHms, toHms, { signal, date: gap.day, priority: 'normal' });
    const rows: MinuteBarRow[] = got.map((b) => ({
      symbol: code, day: b.date, minute: b.time, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, backfilled: true, gapId: gap.id,
    }));
    this.o.bars.upsert(rows, this.o.clock.nowMs());
    const out: BackfilledBar[] = got.map((b) => ({
      symbol: code,
      startMs: kstAt(gap.fromMs, Number(b.time.slice(0, 2)) * 60 + Number(b.time.slice(2, 4))),
      open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, backfilled: true, gapId: gap.id,
    }));
    for (const l of this.listeners) {
      try {
        l(out);
      } catch (err) {
        this.log.error({ err: errorMessage(err) }, 'back-filled bar listener threw');
      }
    }
    return rows.length;
  }
}
