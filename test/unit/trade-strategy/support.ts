// Shared rig for strategy tests: fake clock, event bus, quote cache, FakeOrderManager, risk gate, captured log.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { kstHms } from '../../../src/core/kst.js';
import { EventBus } from '../../../src/feed/bus.js';
import { QuoteCache } from '../../../src/feed/quote-cache.js';
import type { KrTick, RealtimeEvent } from '../../../src/kis/ws/events.js';
import { KillSwitch } from '../../../src/trade/risk/kill-switch.js';
import { RiskGate } from '../../../src/trade/risk/risk-gate.js';
import type { RiskLimitsOptions } from '../../../src/trade/risk/risk-limits.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { FakeOrderManager } from './fake-order-manager.js';

export function krTick(code: string, price: number, atMs: number, opts: { ask?: number; bid?: number; qty?: number } = {}): KrTick {
  return {
    kind: 'kr-tick', trId: 'H0STCNT0', receivedAtMs: atMs, code, time: kstHms(atMs), price, sign: 2, change: 0, changeRate: 0, vwap: price,
    open: price, high: price, low: price, ask1: opts.ask ?? price + 100, bid1: opts.bid ?? price, tradeVolume: opts.qty ?? 10, accVolume: 0,
    accTurnover: 0, side: 1, strength: 100, businessDate: '20261123', sessionCode: '20', halted: false, askQty1: 0, bidQty1: 0,
    totalAskQty: 0, totalBidQty: 0, hourClass: '0', viStandardPrice: 0,
  };
}

export interface Rig {
  clock: FakeClock;
  bus: EventBus<RealtimeEvent>;
  quotes: QuoteCache;
  om: FakeOrderManager;
  risk: RiskGate;
  killSwitch: KillSwitch;
  stateDir: string;
  lines: string[];
  log: Logger;
  /** Market price the FakeOrderManager fills against. */
  px: Map<string, number>;
  /** Sets the clock to the KST instant, publishes a tick there and waits until everything handled it. */
  tick(code: string, price: number, at: string, opts?: { ask?: number; bid?: number }): Promise<void>;
}

export async function makeRig(start: string, limits: RiskLimitsOptions = {}): Promise<Rig> {
  const clock = createFakeClock(start);
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  const bus = new EventBus<RealtimeEvent>({ log });
  const quotes = new QuoteCache();
  quotes.attach(bus);
  const px = new Map<string, number>();
  const om = new FakeOrderManager(() => clock.nowMs(), (s) => px.get(s));
  const stateDir = await mkdtemp(join(tmpdir(), 'kisd-strategy-'));
  const killSwitch = new KillSwitch({ stateDir, clock, logger: log });
  const risk = new RiskGate({ clock, logger: log, killSwitch, limits });
  const rig: Rig = {
    clock, bus, quotes, om, risk, killSwitch, stateDir, lines, log, px,
    async tick(code, price, at, opts) {
      const { kstInstant } = await import('../../../src/core/kst.js');
      const t = kstInstant(at);
      if (t > clock.nowMs()) await clock.tickAsync(t - clock.nowMs());
      px.set(code, price);
      bus.publish(krTick(code, price, t, opts));
      await bus.idle();
    },
  };
  return rig;
}
