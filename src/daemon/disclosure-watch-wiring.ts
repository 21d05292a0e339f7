// The disclosure watch of `kisd run` (dart.enabled): its timer runs between start and stop; the symbols are
// today's selection batches (watched) and kisd's KR positions (held), read at every poll.
import type { Logger } from 'pino';
import type { AlertPort } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { kstYmd } from '../core/kst.js';
import type { LifecycleComponent } from '../core/lifecycle.js';
import type { KisdConfig } from '../config/load.js';
import { createDartDisclosuresFetcher, createDisclosureWatch, type DisclosureWatch } from '../collect/index.js';
import { createPositionsRepo, type Store } from '../store/index.js';
import { readValidBatches } from '../store/batch-files.js';
import type { DartParts } from './dart-parts.js';

export function createDisclosureWatchComponent(o: { config: KisdConfig; clock: Clock; logger: Logger; store: Store; alerts: AlertPort; dart: DartParts }): LifecycleComponent & { watch: DisclosureWatch } {
  const { config, clock, store } = o;
  const positions = createPositionsRepo(store.db);
  const watch = createDisclosureWatch({
    fetcher: createDartDisclosuresFetcher({ api: o.dart.api, corpCodes: o.dart.corpCodes, clock, logger: o.logger }),
    save: (rows, nowMs) => store.dart.upsertDisclosures(rows, nowMs),
    symbols: async () => ({
      watched: (await readValidBatches(config.resolved.paths.dataDir, kstYmd(clock.nowMs()))).flatMap((b) => b.symbols),
      held: positions.all().filter((p) => p.market === 'KR' && p.qty > 0).map((p) => p.symbol),
    }),
    alerts: o.alerts,
    clock,
    logger: o.logger,
    intervalMs: config.dart.watch_interval_min * 60_000,
    from: config.dart.watch_from,
    until: config.dart.watch_until,
  });
  return { name: 'disclosure-watch', start: () => watch.start(), stop: () => watch.stop(), watch };
}
