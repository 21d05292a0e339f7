// Benchmark: recovery after a dropped realtime socket (simulator faults.abruptClose(): no close frame, the
// server keeps the registrations lingering) until every registration is acknowledged again on the new
// connection. The session's deliberate waits are subtracted: the reconnect backoff it chose (reported in its
// 'reconnecting' event) and the 3 s release grace (seed 001 §4.1); the request spacing (subscribe_spacing_ms
// between each release and each subscribe, OTA-style pacing) is reported separately. Two shapes: the
// daemon's default KR watchlist (5 codes × H0STCNT0/H0STASP0 + the H0STCNI0 notice = 11 registrations) and a
// full session (40). Session options are the config defaults (feed.*). Target: <= 1 s beyond backoff + grace.
// Usage: node --expose-gc dist/scripts/bench/ws-reconnect.bench.js [--scale 0.25] [--trials 5]
import { systemClock } from '../../src/core/clock.js';
import { compileConfig } from '../../src/config/load.js';
import type { SubscriptionKey } from '../../src/kis/ws/index.js';
import { BenchReport, parseBenchArgs, runBench } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { BENCH_APP, createBenchClient, startSimWorker, waitAllAcknowledged, type SimWorker } from './lib/ws-bench-env.js';

const mono = (): number => systemClock.monotonicMs();

async function runShape(report: BenchReport, worker: SimWorker, label: string, keys: SubscriptionKey[], trials: number) {
  const feed = compileConfig({}, 'defaults').feed;
  const client = createBenchClient(worker, () => undefined, {
    subscribeSpacingMs: feed.subscribe_spacing_ms,
    releaseGraceMs: feed.release_grace_ms,
    keepaliveIntervalMs: feed.keepalive_interval_sec * 1000,
    deadAfterSilenceMs: feed.dead_after_silence_sec * 1000,
    reconnect: { baseMs: feed.reconnect_base_ms, capMs: feed.reconnect_cap_ms, jitterMs: feed.reconnect_jitter_ms },
  });
  const totals: number[] = [];
  const beyondBackoffGrace: number[] = [];
  const beyondAllWaits: number[] = [];
  const backoffs: number[] = [];
  try {
    client.session.setDesired(keys);
    client.session.start();
    await waitAllAcknowledged(client.session, 60_000);
    for (let t = 0; t < trials; t++) {
      await systemClock.sleep(500);
      let backoffMs = -1;
      let released = 0;
      const off = client.session.on((ev) => {
        if (ev.type === 'reconnecting' && backoffMs < 0) backoffMs = ev.delayMs;
        if (ev.type === 'released') released = ev.count;
      });
      const dropped = waitForDrop(client.session);
      const t0 = mono();
      worker.abruptClose();
      await dropped;
      const waited = await waitAllAcknowledged(client.session, 120_000);
      const total = mono() - t0;
      off();
      const graceMs = released > 0 ? feed.release_grace_ms : 0;
      const spacingMs = (Math.max(0, released - 1) + Math.max(0, keys.length - 1)) * feed.subscribe_spacing_ms;
      totals.push(total);
      backoffs.push(backoffMs);
      beyondBackoffGrace.push(total - backoffMs - graceMs);
      beyondAllWaits.push(total - backoffMs - graceMs - spacingMs);
      console.log(`  [${label}] trial ${t + 1}: total ${Math.round(total)} ms (backoff ${backoffMs} ms, released ${released}, grace ${graceMs} ms, request spacing ${spacingMs} ms) → beyond backoff+grace ${Math.round(total - backoffMs - graceMs)} ms, beyond all deliberate waits ${Math.round(total - backoffMs - graceMs - spacingMs)} ms (ack wait ${Math.round(waited)} ms)`);
    }
  } finally {
    await client.close();
  }
  const k = (n: string): string => `${label}.${n}`;
  report.figure(k('registrations'), keys.length);
  report.figure(k('totalMs'), summarize(totals));
  report.figure(k('backoffMs'), summarize(backoffs));
  report.figure(k('beyondBackoffAndGraceMs'), summarize(beyondBackoffGrace));
  report.figure(k('beyondBackoffGraceAndSpacingMs'), summarize(beyondAllWaits));
  return { beyond: summarize(beyondBackoffGrace), beyondAll: summarize(beyondAllWaits) };
}

function waitForDrop(session: import('../../src/kis/ws/index.js').WsSession): Promise<void> {
  return new Promise((resolve) => {
    const off = session.on((ev) => {
      if (ev.type === 'closed') {
        off();
        resolve();
      }
    });
  });
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const report = new BenchReport('ws-reconnect', args);
  const trials = Number(args.flags['trials'] ?? Math.max(2, Math.round(5 * args.scale)));
  const worker = await startSimWorker({ tickRecordsPerSec: 200, tickIntervalMs: 100 });
  try {
    const feed = compileConfig({}, 'defaults').feed;
    report.note(`session options = config defaults: subscribe_spacing_ms ${feed.subscribe_spacing_ms}, release_grace_ms ${feed.release_grace_ms}, reconnect base ${feed.reconnect_base_ms} ms / cap ${feed.reconnect_cap_ms} ms / jitter ${feed.reconnect_jitter_ms} ms`);
    const codes = worker.codes.slice(0, 5);
    const daemonShape: SubscriptionKey[] = [...codes.flatMap((trKey) => [{ trId: 'H0STCNT0', trKey }, { trId: 'H0STASP0', trKey }]), { trId: 'H0STCNI0', trKey: BENCH_APP.htsId }];
    const small = await runShape(report, worker, 'watchlist11', daemonShape, trials);
    report.target('11 registrations: p50 beyond backoff + grace (s)', small.beyond.p50 / 1000, '<=', 1);
    report.target('11 registrations: max beyond backoff + grace (s)', small.beyond.max / 1000, '<=', 1);
    report.target('11 registrations: max beyond backoff + grace + request spacing (s)', small.beyondAll.max / 1000, '<=', 1);
    const full = await runShape(report, worker, 'full40', worker.codes.slice(0, 40).map((trKey) => ({ trId: 'H0STCNT0', trKey })), trials);
    report.target('40 registrations: p50 beyond backoff + grace (s)', full.beyond.p50 / 1000, '<=', 1);
    report.target('40 registrations: max beyond backoff + grace (s)', full.beyond.max / 1000, '<=', 1);
    report.target('40 registrations: max beyond backoff + grace + request spacing (s)', full.beyondAll.max / 1000, '<=', 1);
  } finally {
    await worker.stop();
  }
  report.finish();
}

runBench(main);
