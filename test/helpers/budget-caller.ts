// A daemon-like KIS caller for the multi-process budget tests and benchmark, run as its own process:
//   node dist/test/helpers/budget-caller.js <config.yaml> [--priority normal|bulk] [--concurrency N] [--order-every-ms N] [--read overseas|domestic] [--probe-ms N]
// It opens the broker the way `kisd run` does (same config, state dir and rate budget), keeps `concurrency`
// overseas-price reads (tr_id HHDFS00000300, distinct from every `kisd collect` dataset) in flight, and every
// --order-every-ms places a cash order. Prints "ready" after its first reply and, on SIGTERM, one JSON line:
// { reads, errors, orders, orderWaitsMs, alerts, waits, probes } (orderWaitsMs: the rate-grant wait of each order
// that waited at all; alerts: the titles of the alerts it raised, e.g. Redis unreachable; waits: [epoch ms, ms] of
// every request's wait from asking the budget for a slot to getting it; probes: see --probe-ms). KISD_TEST_LOG=warn
// writes the log's warnings to stderr.
// --probe-ms N (benchmark): every N ms after "ready", one grant from a probe budget of its own (its own key
// fingerprint, windows far too wide ever to refuse) through the same kind of ledger the caller's budget uses —
// the state dir's budget.db (a second SQLite connection) or the same Redis connection — and records
// [epoch ms, ms] of that one ledger round trip: the cost of asking for a grant under the run's real load,
// without the wait for a free slot.
import { join } from 'node:path';
import pino from 'pino';
import type { AlertPort } from '../../src/core/alert.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { loadCredentials } from '../../src/config/credentials.js';
import { createBroker } from '../../src/daemon/broker.js';
import { BUDGET_FILE, compileWindows, type BudgetLedger } from '../../src/net/budget/index.js';
import { openRedisLedger } from '../../src/net/budget/redis-ledger.js';
import { openSqliteLedger } from '../../src/net/budget/sqlite-ledger.js';
import type { RatePriority } from '../../src/net/rate-limiter.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const config = loadConfig({ file: process.argv[2] });
  const restBaseUrl = config.resolved.restBaseUrl;
  if (!restBaseUrl) throw new Error('budget-caller needs kis.rest_base_url (a kisd sim)');
  const priority = arg('--priority', 'normal') as RatePriority;
  const concurrency = Number(arg('--concurrency', '2'));
  const orderEveryMs = Number(arg('--order-every-ms', '0'));
  // --read domestic: FHKST01010100 instead, so two callers' arrivals tell them apart.
  const domestic = arg('--read', 'overseas') === 'domestic';
  const probeMs = Number(arg('--probe-ms', '0'));
  const out = { reads: 0, errors: 0, orders: 0, orderWaitsMs: [] as number[], alerts: [] as string[], waits: [] as [number, number][], probes: [] as [number, number][] };
  const alerts: AlertPort = {
    send: async (a) => {
      out.alerts.push(a.title);
    },
  };
  const logger = pino({ level: process.env['KISD_TEST_LOG'] ?? 'silent' }, pino.destination(2));
  const broker = createBroker({ config, credentials: loadCredentials(config), clock: systemClock, logger, restBaseUrl, label: 'budget-caller', alerts });
  const stop = new AbortController();
  // A request that waited 0 ms emits no rate-limit-wait: count attempts, the difference waited 0.
  let attempts = 0;
  broker.rest.events.on('attempt', () => attempts++);
  broker.rest.events.on('rate-limit-wait', (e) => {
    if (e.priority === 'order') out.orderWaitsMs.push(Math.round(e.waitedMs));
    out.waits.push([systemClock.nowMs(), Math.round(e.waitedMs * 1000) / 1000]);
  });
  const probe = probeMs > 0 ? openProbe(broker, config.resolved.paths.stateDir) : undefined;
  let probing: ReturnType<typeof systemClock.setInterval> | undefined;
  let ready = false;
  const replied = (): void => {
    if (!ready) {
      process.stdout.write('ready\n');
      if (probe) probing = systemClock.setInterval(() => void probeOnce(probe, out.probes), probeMs);
    }
    ready = true;
  };
  const reader = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      try {
        if (domestic) await broker.api.inquirePrice('005930', { priority, signal: stop.signal });
        else await broker.api.overseasPrice('NAS', 'AAPL', { priority, signal: stop.signal });
        out.reads++;
      } catch {
        if (!stop.signal.aborted) out.errors++;
      }
      replied();
    }
  };
  const placeOrder = (): void => {
    out.orders++;
    broker.api.orderCash({ side: 'buy', code: '005930', qty: 1, price: 50_000 }).catch(() => undefined);
  };
  const orders = orderEveryMs > 0 ? systemClock.setInterval(placeOrder, orderEveryMs) : undefined;
  process.once('SIGTERM', () => stop.abort());
  await Promise.all(Array.from({ length: concurrency }, reader));
  systemClock.clearInterval(orders);
  systemClock.clearInterval(probing);
  const zeroWaits = Math.max(0, attempts - out.waits.length);
  for (let i = 0; i < zeroWaits; i++) out.waits.push([systemClock.nowMs(), 0]);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await probe?.close();
  await broker.close();
}

/** The probe budget (see --probe-ms): same store as the caller's budget, its own key, never full. */
function openProbe(broker: ReturnType<typeof createBroker>, stateDir: string): BudgetLedger {
  const windows = compileWindows({ perSecond: 100_000 });
  const keyFingerprint = `probe${process.pid}`;
  if (broker.coordination) return openRedisLedger({ client: broker.coordination.client, keyFingerprint, windows, safetyMs: 0, spacingMs: 0 });
  return openSqliteLedger({ path: join(stateDir, BUDGET_FILE), keyFingerprint, windows, safetyMs: 0, spacingMs: 0, timeMs: () => systemClock.hostMonotonicMs!() });
}

let probeBusy = false;
async function probeOnce(ledger: BudgetLedger, into: [number, number][]): Promise<void> {
  if (probeBusy) return;
  probeBusy = true;
  const t = systemClock.monotonicMs();
  try {
    const a = await ledger.tryGrant('probe', 1);
    if (a.granted) into.push([systemClock.nowMs(), Math.round((systemClock.monotonicMs() - t) * 1000) / 1000]);
  } catch {
    // Redis down: no figure (the benchmark keeps Redis up).
  } finally {
    probeBusy = false;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`budget-caller: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
