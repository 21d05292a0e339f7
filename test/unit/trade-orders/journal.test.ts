// Fill accounting of the order journal: notices and daily executions are two lower bounds of one cumulative
// quantity, so a fill seen both ways, twice, or late after reconciliation is counted once; positions move
// with fills in the same transaction.
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { createOrderJournalRepo, createPositionsRepo, openDatabase, type SqliteDatabase } from '../../../src/store/index.js';
import { OrderJournal, type Fill } from '../../../src/trade/orders/index.js';

let db: SqliteDatabase;
let journal: OrderJournal;
let fills: Fill[];

beforeEach(() => {
  db = openDatabase({ path: ':memory:' });
  journal = new OrderJournal(createOrderJournalRepo(db), createPositionsRepo(db), createFakeClock('2026-11-23 10:00:00'), pino({ level: 'silent' }));
  fills = [];
  journal.onFill((f) => fills.push(f));
  journal.create('o1', { strategy: 's', market: 'KR', symbol: '005930', side: 'buy', qty: 10, type: 'limit', price: 1000 });
  journal.attachLeg('o1', { kisOrderNo: '0000000042', kisOrgNo: '91252', qty: 10, price: 1000 }, 'acknowledged');
});

const notice = (key: string, qty: number, price = 1000) => ({ notice: { key, qty, price, atMs: 1 } });
const execs = (filledQty: number, filledAmount: number) => ({ executions: { filledQty, filledAmount, atMs: 2 } });

describe('order journal fills', () => {
  it('normalises the KIS order number for legs but keeps KIS spelling on the order', () => {
    expect(journal.get('o1')).toMatchObject({ state: 'acknowledged', kisOrderNo: '0000000042', kisOrgNo: '91252' });
    expect(journal.leg('42')?.clientOrderId).toBe('o1');
    expect(journal.leg('0042')?.clientOrderId).toBe('o1');
  });

  it('counts a repeated notice once', () => {
    journal.applyProgress('42', notice('a', 3), 'notice');
    journal.applyProgress('42', notice('a', 3), 'notice');
    expect(journal.get('o1')).toMatchObject({ filledQty: 3, state: 'partially_filled' });
    expect(fills.map((f) => f.qty)).toEqual([3]);
  });

  it('a notice and daily executions reporting the same fills count them once, whichever comes first', () => {
    journal.applyProgress('42', notice('a', 3), 'notice');
    journal.applyProgress('42', execs(3, 3000), 'reconcile'); // same 3: nothing new
    journal.applyProgress('42', execs(7, 7040), 'reconcile'); // 4 more, at (7040 - 3000) / 4
    journal.applyProgress('42', notice('b', 4, 1010), 'notice'); // the late notice of those 4: notices now sum 7
    expect(fills.map((f) => [f.qty, f.price, f.source])).toEqual([[3, 1000, 'notice'], [4, 1010, 'reconcile']]);
    journal.applyProgress('42', notice('c', 3, 1000), 'notice'); // notices sum 10 > 7: the last 3
    expect(journal.get('o1')).toMatchObject({ filledQty: 10, state: 'filled', avgFillPrice: (3000 + 4040 + 3000) / 10 });
    expect(db.prepare('SELECT COUNT(*) FROM order_fills').pluck().get()).toBe(3);
    expect(createPositionsRepo(db).get('KR', '005930')).toMatchObject({ qty: 10, avgPrice: 1004 });
  });

  it('never records more than the order quantity', () => {
    journal.applyProgress('42', execs(12, 12000), 'reconcile');
    expect(journal.get('o1')?.filledQty).toBe(10);
  });

  it('ignores progress for an order number it does not know', () => {
    expect(journal.applyProgress('999', notice('x', 1), 'notice')).toBeUndefined();
    expect(fills).toEqual([]);
  });
});

describe('positions', () => {
  it('blends buys into the average cost and realises P&L on sells', () => {
    const p = createPositionsRepo(db);
    p.applyFill('KR', '000660', 'buy', 10, 100, 1);
    p.applyFill('KR', '000660', 'buy', 10, 200, 2);
    expect(p.get('KR', '000660')).toMatchObject({ qty: 20, avgPrice: 150 });
    p.applyFill('KR', '000660', 'sell', 5, 170, 3);
    expect(p.get('KR', '000660')).toMatchObject({ qty: 15, avgPrice: 150, realizedPnl: 100 });
    p.applyFill('KR', '000660', 'sell', 15, 140, 4);
    expect(p.get('KR', '000660')).toMatchObject({ qty: 0, avgPrice: 0, realizedPnl: -50 });
  });
});
