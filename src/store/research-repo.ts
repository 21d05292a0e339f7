// research_news, research_opinions, research_estimates: the KIS research datasets (issue 13 item 2) — news
// headlines per symbol, brokerage opinions, consensus estimates — and the two readings the freshness rules of
// seed 002 §9 need (newest headline time; newest consensus date).
import type { SqliteDatabase } from './database.js';

export interface NewsRow {
  symbol: string;
  /** KIS's serial of the article (cntt_usiq_srno). */
  newsId: string;
  /** The headline's KST date and time, epoch ms. */
  publishedAtMs: number;
  title: string;
  source: string;
  providerCode: string;
}

export interface OpinionRow {
  symbol: string;
  /** Report day "YYYYMMDD". */
  date: string;
  broker: string;
  opinion: string;
  targetPrice: number | null;
  prevClose: number | null;
}

export interface EstimateRow {
  symbol: string;
  /** "YYYYMMDD" when KIS sends one. */
  estimateDate: string | null;
  recommendation: string;
  /** Periods, income and indicator series as KIS sends them. */
  data: unknown;
}

export interface ResearchRepo {
  upsertNews(rows: readonly NewsRow[], nowMs: number): void;
  upsertOpinions(rows: readonly OpinionRow[], nowMs: number): void;
  upsertEstimates(rows: readonly EstimateRow[], nowMs: number): void;
  newsOf(symbol: string): NewsRow[];
  /** Newest headline's time, epoch ms. */
  newestNewsAtMs(): number | undefined;
  /** Newest consensus date ("YYYYMMDD") over opinions and estimates. */
  newestConsensusDate(): string | undefined;
  count(): { news: number; opinions: number; estimates: number };
}

export function createResearchRepo(db: SqliteDatabase): ResearchRepo {
  const news = db.prepare(`
    INSERT INTO research_news (symbol, news_id, published_at, title, source, provider_code, stored_at)
    VALUES (@symbol, @newsId, @publishedAtMs, @title, @source, @providerCode, @nowMs)
    ON CONFLICT (symbol, news_id) DO UPDATE SET published_at = excluded.published_at, title = excluded.title,
      source = excluded.source, provider_code = excluded.provider_code, stored_at = excluded.stored_at`);
  const opinion = db.prepare(`
    INSERT INTO research_opinions (symbol, date, broker, opinion, target_price, prev_close, stored_at)
    VALUES (@symbol, @date, @broker, @opinion, @targetPrice, @prevClose, @nowMs)
    ON CONFLICT (symbol, date, broker) DO UPDATE SET opinion = excluded.opinion, target_price = excluded.target_price,
      prev_close = excluded.prev_close, stored_at = excluded.stored_at`);
  const estimate = db.prepare(`
    INSERT INTO research_estimates (symbol, estimate_date, recommendation, data_json, stored_at)
    VALUES (@symbol, @estimateDate, @recommendation, @dataJson, @nowMs)
    ON CONFLICT (symbol) DO UPDATE SET estimate_date = excluded.estimate_date, recommendation = excluded.recommendation,
      data_json = excluded.data_json, stored_at = excluded.stored_at`);
  const newsOf = db.prepare('SELECT symbol, news_id AS newsId, published_at AS publishedAtMs, title, source, provider_code AS providerCode FROM research_news WHERE symbol = ? ORDER BY published_at, news_id');
  const newestNews = db.prepare('SELECT MAX(published_at) FROM research_news').pluck();
  const newestConsensus = db.prepare('SELECT MAX(d) FROM (SELECT MAX(date) AS d FROM research_opinions UNION ALL SELECT MAX(estimate_date) FROM research_estimates)').pluck();
  const counts = db.prepare('SELECT (SELECT COUNT(*) FROM research_news) AS news, (SELECT COUNT(*) FROM research_opinions) AS opinions, (SELECT COUNT(*) FROM research_estimates) AS estimates');
  const tx = <T>(stmt: { run(p: Record<string, unknown>): unknown }, map: (r: T) => Record<string, unknown>) =>
    db.transaction((rows: readonly T[], nowMs: number) => {
      for (const r of rows) stmt.run({ ...map(r), nowMs });
    });
  const upsertNews = tx<NewsRow>(news, (r) => ({ ...r }));
  const upsertOpinions = tx<OpinionRow>(opinion, (r) => ({ ...r }));
  const upsertEstimates = tx<EstimateRow>(estimate, (r) => ({ symbol: r.symbol, estimateDate: r.estimateDate, recommendation: r.recommendation, dataJson: JSON.stringify(r.data) }));
  return {
    upsertNews: (rows, nowMs) => upsertNews(rows, nowMs),
    upsertOpinions: (rows, nowMs) => upsertOpinions(rows, nowMs),
    upsertEstimates: (rows, nowMs) => upsertEstimates(rows, nowMs),
    newsOf: (symbol) => newsOf.all(symbol) as NewsRow[],
    newestNewsAtMs: () => (newestNews.get() as number | null) ?? undefined,
    newestConsensusDate: () => (newestConsensus.get() as string | null) ?? undefined,
    count: () => counts.get() as { news: number; opinions: number; estimates: number },
  };
}
