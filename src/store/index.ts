// kisd's SQLite store: connection, migrations, one repository per table, CSV export.
import { openDatabase, type DatabaseOptions, type SqliteDatabase } from './database.js';
import { createQuotesRepo, type QuotesRepo } from './quotes-repo.js';
import { createDailyBarsRepo, type DailyBarsRepo } from './daily-bars-repo.js';
import { createInvestorFlowsRepo, type InvestorFlowsRepo } from './investor-flows-repo.js';
import { createRecoveryQueueRepo, type RecoveryQueueRepo } from './recovery-queue-repo.js';
import { createAlertHistoryRepo, type AlertHistoryRepo } from './alert-history-repo.js';
import { createFeedGapsRepo, type FeedGapsRepo } from './feed-gaps-repo.js';
import { createMinuteBarsRepo, type MinuteBarsRepo } from './minute-bars-repo.js';
import { createResearchRepo, type ResearchRepo } from './research-repo.js';
import { createDartRepo, type DartRepo } from './dart-repo.js';

export * from './database.js';
export * from './migrations.js';
export * from './quotes-repo.js';
export * from './daily-bars-repo.js';
export * from './investor-flows-repo.js';
export * from './recovery-queue-repo.js';
export * from './alert-history-repo.js';
export * from './dart-repo.js';
export * from './csv-export.js';
export * from './order-journal-repo.js';
export * from './positions-repo.js';
export * from './feed-gaps-repo.js';
export * from './minute-bars-repo.js';
export * from './research-repo.js';

export interface Store {
  readonly db: SqliteDatabase;
  readonly quotes: QuotesRepo;
  readonly dailyBars: DailyBarsRepo;
  readonly investorFlows: InvestorFlowsRepo;
  readonly recoveryQueue: RecoveryQueueRepo;
  readonly alertHistory: AlertHistoryRepo;
  readonly feedGaps: FeedGapsRepo;
  readonly minuteBars: MinuteBarsRepo;
  /** KIS news headlines, brokerage opinions and consensus estimates. */
  readonly research: ResearchRepo;
  /** OpenDART disclosures and key financial accounts. */
  readonly dart: DartRepo;
  close(): void;
}

/** Opens the database (WAL, busy_timeout, migrations) and builds every repository on it. */
export function openStore(opts: DatabaseOptions = {}): Store {
  const db = openDatabase(opts);
  return {
    db,
    quotes: createQuotesRepo(db),
    dailyBars: createDailyBarsRepo(db),
    investorFlows: createInvestorFlowsRepo(db),
    recoveryQueue: createRecoveryQueueRepo(db),
    alertHistory: createAlertHistoryRepo(db),
    feedGaps: createFeedGapsRepo(db),
    minuteBars: createMinuteBarsRepo(db),
    research: createResearchRepo(db),
    dart: createDartRepo(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
