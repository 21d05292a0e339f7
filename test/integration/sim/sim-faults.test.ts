// Fault injection: every FaultKind, the count / probability / match / afterAccept modifiers, and the /__sim
// control endpoint (faults, stats, token expiry and revocation).
import { afterEach, describe, expect, it } from 'vitest';
import type { SimRequestRecord, Simulator } from '../../../src/sim/index.js';
import { APP_A, call, orderBody, PATHS, priceQuery, startSim, tokenFor, type Kit } from './sim-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.sim.close();
  kit = undefined;
});

async function setup(seed = 1) {
  kit = await startSim({ rateLimitPerSec: 0, seed });
  const token = await tokenFor(kit.sim);
  const price = () => call(kit!.sim, PATHS.price, { token, trId: 'FHKST01010100', query: priceQuery('005930') });
  return { sim: kit.sim, token, price };
}

/** Resolves when the simulator has recorded the next request (hung ones are recorded on arrival). */
function nextRecord(sim: Simulator): Promise<SimRequestRecord> {
  return new Promise((resolve) => {
    const off = sim.stats.subscribe((r) => {
      off();
      resolve(r);
    });
  });
}

describe('fault kinds', () => {
  it('http500..504 as KIS JSON, or as an HTML gateway page', async () => {
    const { sim, price } = await setup();
    for (const kind of ['http500', 'http502', 'http503', 'http504'] as const) {
      sim.faults.add({ kind, count: 1 });
      const r = await price();
      expect(r.status).toBe(Number(kind.slice(4)));
      expect(r.json).toEqual({ rt_cd: '1', msg_cd: 'EGW00001', msg1: '일시적인 오류가 발생하였습니다.' });
    }
    sim.faults.add({ kind: 'http502', html: true, count: 1 });
    const html = await price();
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.text).toContain('<title>502 Bad Gateway</title>');
    expect(html.json).toBeUndefined();
    expect((await price()).json.rt_cd).toBe('0');
    expect(sim.stats.count({ path: PATHS.price, fault: 'http502' })).toBe(2);
    expect(sim.stats.count({ path: PATHS.price, outcome: 'fault:http500' })).toBe(1);
  });

  it('egw00201, malformed and empty replies', async () => {
    const { sim, price } = await setup();
    sim.faults.add({ kind: 'egw00201', count: 1 });
    const limited = await price();
    expect([limited.status, limited.json.msg_cd]).toEqual([500, 'EGW00201']);
    sim.faults.add({ kind: 'malformed', count: 1 });
    const bad = await price();
    expect(bad.status).toBe(200);
    expect(() => JSON.parse(bad.text)).toThrow();
    sim.faults.add({ kind: 'empty', count: 1 });
    const empty = await price();
    expect([empty.status, empty.text]).toEqual([200, '']);
  });

  it('reset destroys the connection without a reply', async () => {
    const { sim, price } = await setup();
    sim.faults.add({ kind: 'reset', count: 1 });
    await expect(price()).rejects.toThrow();
    expect(sim.stats.count({ fault: 'reset' })).toBe(1);
    expect((await price()).json.rt_cd).toBe('0');
  });

  it('hang without delay never answers; close() ends the hung socket', async () => {
    const { sim, price } = await setup();
    sim.faults.add({ kind: 'hang', count: 1 });
    const arrived = nextRecord(sim);
    const pending = price();
    pending.catch(() => undefined);
    expect((await arrived).fault).toBe('hang');
    await sim.close();
    await expect(pending).rejects.toThrow();
  });

  it('hang with delayMs answers normally after the delay on the simulator clock', async () => {
    const { sim, price } = await setup();
    sim.faults.add({ kind: 'hang', delayMs: 30_000, count: 1 });
    const arrived = nextRecord(sim);
    let settled = false;
    const pending = price().finally(() => {
      settled = true;
    });
    await arrived;
    await kit!.clock.tickAsync(29_999);
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await kit!.clock.tickAsync(1);
    const r = await pending;
    expect(r.json.rt_cd).toBe('0');
  });

  it('expireToken and revokeToken act on the caller’s token, then the call proceeds', async () => {
    const { sim, price } = await setup();
    sim.faults.add({ kind: 'expireToken', count: 1 });
    expect((await price()).json.msg_cd).toBe('EGW00123');
    await kit!.clock.tickAsync(60_000);
    const fresh = await tokenFor(sim);
    sim.faults.add({ kind: 'revokeToken', count: 1 });
    const r = await call(sim, PATHS.price, { token: fresh, trId: 'FHKST01010100', query: priceQuery('005930') });
    expect(r.json.msg_cd).toBe('EGW00121');
  });
});

describe('fault modifiers', () => {
  it('count fires on the next N matching calls only; match filters by path and tr_id', async () => {
    const { sim, token, price } = await setup();
    sim.faults.add({ kind: 'http503', count: 2, match: { path: PATHS.price, trId: 'FHKST01010100' } });
    sim.faults.add({ kind: 'http500', match: { trId: 'NOPE' } });
    const chart = await call(sim, PATHS.chart, { token, trId: 'FHKST03010100', query: { ...priceQuery('005930'), FID_INPUT_DATE_1: '20261101', FID_INPUT_DATE_2: '20261120', FID_PERIOD_DIV_CODE: 'D', FID_ORG_ADJ_PRC: '0' } });
    expect(chart.status).toBe(200);
    expect((await price()).status).toBe(503);
    expect((await price()).status).toBe(503);
    expect((await price()).status).toBe(200);
    expect(sim.faults.list()).toEqual([{ kind: 'http500', match: { trId: 'NOPE' } }]);
  });

  it('probability draws from the seeded PRNG: some fire, some do not, the same way for the same seed', async () => {
    const pattern = async (seed: number): Promise<string> => {
      const { sim, price } = await setup(seed);
      sim.faults.add({ kind: 'http500', probability: 0.5 });
      let s = '';
      for (let i = 0; i < 30; i++) s += (await price()).status === 500 ? 'x' : '.';
      await sim.close();
      return s;
    };
    const a = await pattern(7);
    const b = await pattern(7);
    expect(a).toBe(b);
    const fired = [...a].filter((c) => c === 'x').length;
    expect(fired).toBeGreaterThan(3);
    expect(fired).toBeLessThan(27);
  });

  it('afterAccept books the order, then fails the reply', async () => {
    const { sim, token } = await setup();
    sim.faults.add({ kind: 'http500', afterAccept: true, count: 1, match: { path: PATHS.orderCash } });
    const r = await call(sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: orderBody('005930', '2', '0', '01') });
    expect(r.status).toBe(500);
    expect(sim.exchange.ledger(APP_A.accountNo)?.holding('KR', '005930')?.qty).toBe(2);
    sim.faults.add({ kind: 'reset', afterAccept: true, count: 1, match: { path: PATHS.orderCash } });
    await expect(call(sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: orderBody('005930', '1', '0', '01') })).rejects.toThrow();
    expect(sim.exchange.ledger(APP_A.accountNo)?.holding('KR', '005930')?.qty).toBe(3);
    // without afterAccept nothing is booked
    sim.faults.add({ kind: 'http504', count: 1, match: { path: PATHS.orderCash } });
    expect((await call(sim, PATHS.orderCash, { token, trId: 'TTTC0012U', body: orderBody('005930', '1', '0', '01') })).status).toBe(504);
    expect(sim.exchange.ledger(APP_A.accountNo)?.holding('KR', '005930')?.qty).toBe(3);
  });

  it('rejects invalid rules', async () => {
    const { sim } = await setup();
    expect(() => sim.faults.add({ kind: 'nope' as never })).toThrow(TypeError);
    expect(() => sim.faults.add({ kind: 'http500', probability: 2 })).toThrow(/probability/);
    expect(() => sim.faults.add({ kind: 'http500', count: 0 })).toThrow(/count/);
  });
});

describe('control endpoint /__sim', () => {
  it('adds, lists and clears faults; reports stats; expires and revokes tokens', async () => {
    const { sim, token, price } = await setup();
    const ctl = (method: string, path: string, body?: unknown) =>
      fetch(new URL(path, sim.restUrl), { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, json: (await r.json()) as any })); // eslint-disable-line @typescript-eslint/no-explicit-any
    const added = await ctl('POST', '/__sim/faults', { kind: 'http502', count: 1 });
    expect(added.json.id).toMatch(/^fault-\d+$/);
    expect((await ctl('POST', '/__sim/faults', { kind: 'bogus' })).status).toBe(400);
    expect((await ctl('GET', '/__sim/faults')).json.faults).toEqual([{ kind: 'http502', count: 1 }]);
    expect((await price()).status).toBe(502);
    await ctl('POST', '/__sim/faults', { kind: 'http500' });
    await ctl('DELETE', '/__sim/faults');
    expect((await price()).status).toBe(200);
    const stats = (await ctl('GET', '/__sim/stats')).json;
    expect(stats.byPath[PATHS.price]).toBe(2);
    expect(stats.byPath[PATHS.tokenP]).toBe(1);
    expect(stats.byTrId['FHKST01010100']).toBe(2);
    expect(stats.byOutcome['fault:http502']).toBe(1);
    expect(stats.tokenIssues).toBe(1);
    expect(stats.requests.at(-1)).toMatchObject({ path: PATHS.price, trId: 'FHKST01010100', status: 200, msgCd: 'MCA00000', outcome: 'ok' });
    expect(sim.stats.count({ path: '/oauth2/tokenP' })).toBe(1);
    await ctl('POST', '/__sim/tokens/expire');
    expect((await price()).json.msg_cd).toBe('EGW00123');
    await ctl('POST', '/__sim/tokens/revoke', { token });
    expect((await price()).json.msg_cd).toBe('EGW00121');
    expect((await ctl('POST', '/__sim/stats/reset')).status).toBe(200);
    expect(sim.stats.count()).toBe(0);
    expect((await ctl('GET', '/__sim/nothing')).status).toBe(404);
  });
});
