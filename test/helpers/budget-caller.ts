// A daemon-like KIS caller for the multi-process budget tests and benchmark, run as its own process:
//   node dist/test/helpers/budget-caller.js <config.yaml> [--priority normal|bulk] [--concurrency N] [--order-every-ms N] [--read overseas|domestic]
// It opens the broker the way `kisd run` does (same config, state dir and rate budget), keeps `concurrency`
// overseas-price reads (tr_id HHDFS00000300, distinct from every `kisd collect` dataset) in flight, and every
// --order-every-ms places a cash order. Prints "ready" after its first reply and, on SIGTERM, one JSON line:
// { reads, errors, orders, orderWaitsMs, alerts } (orderWaitsMs: the rate-grant wait of each order that waited at
// all; alerts: the titles of the alerts it raised, e.g. Redis unreachable). KISD_TEST_LOG=warn writes the log's
// warnings to stderr.
import pino from 'pino';
import type { AlertPort } from '../../src/core/alert.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { loadCredentials } from '../../src/config/credentials.js';
import { createBroker } from '../../src/daemon/broker.js';
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
  const out = { reads: 0, errors: 0, orders: 0, orderWaitsMs: [] as number[], alerts: [] as string[] };
  const alerts: AlertPort = {
    send: async (a) => {
      out.alerts.push(a.title);
    },
  };
  const logger = pino({ level: process.env['KISD_TEST_LOG'] ?? 'silent' }, pino.destination(2));
  const broker = createBroker({ config, credentials: loadCredentials(config), clock: systemClock, logger, restBaseUrl, label: 'budget-caller', alerts });
  const stop = new AbortController();
  broker.rest.events.on('rate-limit-wait', (e) => {
    if (e.priority === 'order') out.orderWaitsMs.push(Math.round(e.waitedMs));
  });
  let ready = false;
  const replied = (): void => {
    if (!ready) process.stdout.write('ready\n');
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
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await broker.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`budget-caller: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
