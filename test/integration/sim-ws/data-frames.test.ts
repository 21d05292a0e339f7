// Data over the socket: generated multi-record frames with exact field counts, and encrypted execution
// notices that decrypt with the key/iv of that subscription's OPSP0000 reply (fact sheet §5, §5.1).
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_NOTICE_FIELD_NAMES,
  H0STASP0_FIELD_COUNT,
  H0STCNI0_FIELD_COUNT,
  H0STCNT0_FIELD_COUNT,
  HDFSCNT0_FIELD_COUNT,
} from '../../../src/sim/ws/frames.js';
import { isData, harnessFixture, TestClient, until, type Harness } from './harness.js';

let h: Harness;
const fx = harnessFixture();
const connect = (): Promise<TestClient> => fx.connect();

const FIELD_COUNTS: Record<string, number> = { H0STCNT0: H0STCNT0_FIELD_COUNT, H0STASP0: H0STASP0_FIELD_COUNT, HDFSCNT0: HDFSCNT0_FIELD_COUNT };

function decrypt(b64: string, keys: { key: string; iv: string }): string {
  const d = createDecipheriv('aes-256-cbc', Buffer.from(keys.key, 'utf8'), Buffer.from(keys.iv, 'utf8'));
  return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf8');
}

describe('generated market data', () => {
  it('packs up to maxRecordsPerFrame records per frame with exact field counts per TR', async () => {
    h = await fx.start({ tickRecordsPerSec: 400, maxRecordsPerFrame: 4, tickIntervalMs: 100, pingIntervalMs: 60_000, marketHoursOnly: false });
    const c = await connect();
    for (const [trId, trKey] of [
      ['H0STCNT0', '005930'],
      ['H0STCNT0', '000660'],
      ['H0STASP0', '005930'],
      ['HDFSCNT0', 'DNASAAPL'],
    ] as const) {
      expect((await c.subscribe('approval-A', trId, trKey)).body.msg_cd).toBe('OPSP0000');
    }
    await h.clock.tickAsync(1_000);
    const stats = h.sim.stats();
    expect(stats.recordsSent).toBe(400);
    await until(() => c.all.filter(isData).length === stats.framesSent, 'all frames received');

    const frames = c.all.filter(isData);
    let records = 0;
    const countsSeen = new Set<number>();
    const keysSeen = new Set<string>();
    for (const frame of frames) {
      const parts = frame.split('|');
      expect(parts).toHaveLength(4);
      const [enc, trId, nnn, payload] = parts as [string, string, string, string];
      expect(enc).toBe('0');
      expect(nnn).toMatch(/^\d{3}$/);
      const n = Number(nnn);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(4);
      const per = FIELD_COUNTS[trId]!;
      const fields = payload.split('^');
      expect(fields).toHaveLength(n * per);
      for (let i = 0; i < n; i++) keysSeen.add(`${trId}|${fields[i * per]}`);
      records += n;
      countsSeen.add(n);
    }
    expect(records).toBe(400);
    expect(countsSeen.has(4)).toBe(true);
    expect(keysSeen).toEqual(new Set(['H0STCNT0|005930', 'H0STCNT0|000660', 'H0STASP0|005930', 'HDFSCNT0|DNASAAPL']));
  });

  it('sends nothing for a symbol the market does not know, and stops after release', async () => {
    h = await fx.start({ tickRecordsPerSec: 100, pingIntervalMs: 60_000 });
    const c = await connect();
    expect((await c.subscribe('approval-A', 'H0STCNT0', '999999')).body.msg_cd).toBe('OPSP0000');
    await h.clock.tickAsync(1_000);
    expect(h.sim.stats().recordsSent).toBe(0);
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    await h.clock.tickAsync(1_000);
    const sent = h.sim.stats().recordsSent;
    expect(sent).toBe(100);
    await c.subscribe('approval-A', 'H0STCNT0', '005930', '2');
    await h.clock.tickAsync(1_000);
    expect(h.sim.stats().recordsSent).toBe(sent);
  });
});

describe('market hours', () => {
  it('generates each TR only in its session (KST 10:00 Monday: KRX yes, US no)', async () => {
    h = await fx.start({ tickRecordsPerSec: 100, pingIntervalMs: 60_000 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    await c.subscribe('approval-A', 'HDFSCNT0', 'DNASAAPL');
    await h.clock.tickAsync(1_000);
    expect(h.sim.stats().recordsSent).toBe(100);
    await until(() => c.all.filter(isData).length === h.sim.stats().framesSent, 'frames received');
    expect(new Set(c.all.filter(isData).map((f) => f.split('|')[1]))).toEqual(new Set(['H0STCNT0']));
    // pushTick ignores the hours.
    expect(h.sim.pushTick('HDFSCNT0', 'DNASAAPL')).toBe(1);
  });

  it('sends no executions before 09:00 KST but the book from 08:30', async () => {
    h = await fx.start({ tickRecordsPerSec: 100, pingIntervalMs: 60_000 }, '2026-11-23 08:45:00');
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    await c.subscribe('approval-A', 'H0STASP0', '005930');
    await h.clock.tickAsync(1_000);
    await until(() => c.all.filter(isData).length === h.sim.stats().framesSent, 'frames received');
    expect(new Set(c.all.filter(isData).map((f) => f.split('|')[1]))).toEqual(new Set(['H0STASP0']));
  });
});

describe('encrypted execution notices', () => {
  it('decrypt with the key/iv of that subscription’s reply into 26 fields', async () => {
    h = await fx.start();
    const real = await connect();
    const paper = await connect();
    const realReply = await real.subscribe('approval-A', 'H0STCNI0', 'htsuserA');
    const paperReply = await paper.subscribe('approval-B', 'H0STCNI9', 'htsuserA');
    expect(realReply.header.encrypt).toBe('Y');
    const sent = h.sim.publishExecutionNotice('htsuserA', {
      ODER_NO: '0000117057',
      SELN_BYOV_CLS: '02',
      STCK_SHRN_ISCD: '005930',
      CNTG_YN: '2',
      CNTG_QTY: '10',
      CNTG_UNPR: '71000',
    });
    expect(sent).toBe(2);

    const frame = await real.next(isData);
    const [enc, trId, nnn, b64] = frame.split('|') as [string, string, string, string];
    expect([enc, trId, nnn]).toEqual(['1', 'H0STCNI0', '001']);
    const fields = decrypt(b64, realReply.body.output!).split('^');
    expect(fields).toHaveLength(H0STCNI0_FIELD_COUNT);
    const byName = Object.fromEntries(EXECUTION_NOTICE_FIELD_NAMES.map((n, i) => [n, fields[i]]));
    expect(byName).toMatchObject({
      CUST_ID: 'htsuserA',
      ACNT_NO: '5000000001',
      ODER_NO: '0000117057',
      SELN_BYOV_CLS: '02',
      STCK_SHRN_ISCD: '005930',
      CNTG_YN: '2',
      CNTG_QTY: '10',
      CNTG_UNPR: '71000',
      STCK_CNTG_HOUR: '100000',
      CNTG_ISNM40: '삼성전자',
    });

    const paperFrame = await paper.next(isData);
    expect(paperFrame.split('|')[1]).toBe('H0STCNI9');
    const paperB64 = paperFrame.split('|')[3]!;
    expect(decrypt(paperB64, paperReply.body.output!).split('^')).toEqual(fields);
    // Each subscription has its own key: the other reply's key does not decrypt it.
    expect(realReply.body.output!.key).not.toBe(paperReply.body.output!.key);
    let withWrongKey: string | undefined;
    try {
      withWrongKey = decrypt(paperB64, realReply.body.output!);
    } catch {
      withWrongKey = undefined; // bad padding
    }
    expect(withWrongKey).not.toBe(fields.join('^'));
    expect(h.sim.stats().noticesSent).toBe(2);
  });

  it('goes nowhere without a subscriber on that HTS id', async () => {
    h = await fx.start();
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNI0', 'htsuserA');
    expect(
      h.sim.publishExecutionNotice('someone-else', { ODER_NO: '1', SELN_BYOV_CLS: '01', STCK_SHRN_ISCD: '005930', CNTG_YN: '1', CNTG_QTY: '1', CNTG_UNPR: '1' }),
    ).toBe(0);
  });
});
