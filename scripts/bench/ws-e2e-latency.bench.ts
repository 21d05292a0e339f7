// Benchmark: realtime latency from the simulator's WebSocket send to a feed subscriber, at 5,000 records/s
// over 40 H0STCNT0 registrations: simulator (worker thread, own core) → loopback socket → WsSession (frame
// decode + parseFrame) → sink → EventBus → subscriber. Measurement: the simulator worker stamps each tick
// record's send instant (process.hrtime µs, one monotonic clock for all threads) into field 45 (VI_STND_PRC)
// as the frame leaves ws.send; the subscriber subtracts it from its own hrtime. Two tick cadences: 10 ms
// (smooth) and the simulator default 100 ms (bursts of ~125 frames). Target: p99 <= 2 ms; drops counted.
// Usage: node --expose-gc dist/scripts/bench/ws-e2e-latency.bench.js [--scale 0.25]
import { systemClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/feed/index.js';
import type { RealtimeEvent } from '../../src/kis/ws/index.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { silentLogger } from './lib/sim-broker.js';
import { summarize } from './lib/stats.js';
import { createBenchClient, startSimWorker, waitAllAcknowledged } from './lib/ws-bench-env.js';

const RECORDS_PER_SEC = 5_000;
const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

async function runCadence(report: BenchReport, label: string, tickIntervalMs: number, measureMs: number): Promise<{ p99: number; drops: number }> {
  const worker = await startSimWorker({ tickRecordsPerSec: RECORDS_PER_SEC, tickIntervalMs, stampSendTime: true });
  const bus = new EventBus<RealtimeEvent>({ log: silentLogger });
  const atSink: number[] = [];
  const atSubscriber: number[] = [];
  let measuring = false;
  let unstamped = 0;
  const sub = bus.subscribe(
    (ev) => {
      if (!measuring || ev.kind !== 'kr-tick') return;
      if (!(ev.viStandardPrice > 0)) unstamped++;
      else atSubscriber.push((nowMicros() - ev.viStandardPrice) / 1000);
    },
    { name: 'bench-subscriber' },
  );
  const client = createBenchClient(worker, (ev) => {
    if (measuring && ev.kind === 'kr-tick' && ev.viStandardPrice > 0) atSink.push((nowMicros() - ev.viStandardPrice) / 1000);
    bus.publish(ev);
  }, { subscribeSpacingMs: 20 });
  try {
    client.session.setDesired(worker.codes.slice(0, 40).map((trKey) => ({ trId: 'H0STCNT0', trKey })));
    client.session.start();
    await waitAllAcknowledged(client.session, 30_000);
    await systemClock.sleep(1_000); // warm-up: JIT, socket buffers
    const before = await worker.stats();
    const recordsBefore = client.session.status().counters.records;
    const t0 = systemClock.monotonicMs();
    measuring = true;
    await systemClock.sleep(measureMs);
    measuring = false;
    const sec = (systemClock.monotonicMs() - t0) / 1000;
    await bus.idle();
    const after = await worker.stats();
    const st = client.session.status();
    const busStats = sub.stats();
    const k = (n: string): string => `${label}.${n}`;
    console.log(`\n[${label}] simulator tick interval ${tickIntervalMs} ms, ${RECORDS_PER_SEC} records/s over 40 registrations, ${Math.round(sec)} s measured`);
    report.figure(k('serverRecordsPerSec'), Math.round((after.recordsSent - before.recordsSent) / sec), 'records/s sent');
    report.figure(k('clientRecordsPerSec'), Math.round((st.counters.records - recordsBefore) / sec), 'records/s parsed by WsSession');
    report.figure(k('subscriberLatencyMs'), summarize(atSubscriber), '(send → bus subscriber)');
    report.figure(k('sinkLatencyMs'), summarize(atSink), '(send → WsSession sink, before the bus hop)');
    const drops = busStats.dropped + (after.backpressureSkips - before.backpressureSkips) + st.parse.malformedFrames + st.parse.rejectedRecords;
    report.figure(k('drops'), { busDropped: busStats.dropped, busHighWater: busStats.highWater, serverBackpressureSkips: after.backpressureSkips - before.backpressureSkips, malformedFrames: st.parse.malformedFrames, rejectedRecords: st.parse.rejectedRecords, unstampedTicks: unstamped, socketDrops: st.counters.drops });
    return { p99: summarize(atSubscriber).p99, drops: drops + st.counters.drops };
  } finally {
    sub.unsubscribe();
    await client.close();
    await worker.stop();
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('ws-e2e-latency', args);
  const measureMs = Math.max(5_000, Math.round(20_000 * args.scale));
  const smooth = await runCadence(report, 'tick10ms', 10, measureMs);
  report.target('10 ms cadence: send→subscriber p99 ms', smooth.p99, '<=', 2);
  report.target('10 ms cadence: drops', smooth.drops, '==', 0);
  const bursty = await runCadence(report, 'tick100ms', 100, measureMs);
  report.target('100 ms cadence (bursts): send→subscriber p99 ms', bursty.p99, '<=', 2);
  report.target('100 ms cadence (bursts): drops', bursty.drops, '==', 0);
  report.finish();
}

runBench(main);
