// The OPSP table (one test per row), the backoff formula and the desired-vs-server reconcile step.
import { describe, expect, it } from 'vitest';
import { classifyControl, safeMsg1 } from '../../../src/kis/ws/control-codes.js';
import { SubscriptionTable } from '../../../src/kis/ws/subscription-table.js';
import type { ControlReply } from '../../../src/kis/ws/events.js';

const reply = (msgCd: string, rtCd: string, msg1 = ''): ControlReply => ({ trId: 'H0STCNT0', trKey: '005930', encrypt: false, rtCd, msgCd, msg1 });

describe('classifyControl', () => {
  it.each([
    ['OPSP0000', '0', 'SUBSCRIBE SUCCESS', 'acked'],
    ['OPSP0001', '0', 'UNSUBSCRIBE SUCCESS', 'released'],
    ['OPSP0002', '1', 'ALREADY IN SUBSCRIBE', 'acked'],
    ['OPSP0003', '1', 'UNSUBSCRIBE ERROR(not found!)', 'release-unknown'],
    ['OPSP0007', '1', 'internal error', 'rejected'],
    ['OPSP0008', '1', 'MAX SUBSCRIBE OVER', 'over-cap'],
    ['OPSP0011', '1', 'invalid approval : x', 'invalid-approval'],
    ['OPSP8991', '1', 'invalid tr_id', 'rejected'],
    ['OPSP8996', '9', 'ALREADY IN USE appkey', 'in-use'],
    ['OPSP9999', '0', 'UNSUBSCRIBE OK', 'released'],
    ['OPSP9999', '0', 'SUBSCRIBE OK', 'acked'],
    ['OPSP9999', '1', 'whatever', 'rejected'],
  ])('%s rt_cd %s "%s" -> %s', (msgCd, rtCd, msg1, action) => {
    expect(classifyControl(reply(msgCd, rtCd, msg1))).toBe(action);
  });

  it('never lets the approval key in OPSP0011 msg1 through', () => {
    expect(safeMsg1(reply('OPSP0011', '1', 'invalid approval : 0a1b2c3d-secret'))).toBe('invalid approval : [REDACTED]');
  });
});

describe('SubscriptionTable', () => {
  it('converges: subscribes desired, releases undesired, respects pending states', () => {
    const t = new SubscriptionTable(40);
    t.desire('H0STCNT0', 'A');
    t.desire('H0STCNT0', 'B');
    const a1 = t.nextAction()!;
    expect(a1).toEqual({ trType: '1', trId: 'H0STCNT0', trKey: 'A' });
    t.markSent(a1, 'k');
    const a2 = t.nextAction()!;
    expect(a2.trKey).toBe('B');
    t.markSent(a2, 'k');
    expect(t.nextAction()).toBeUndefined();
    t.markAcked('H0STCNT0', 'A');
    t.markAcked('H0STCNT0', 'B');
    expect(t.counts()).toEqual({ desired: 2, acknowledged: 2, pending: 0, rejected: 0 });
    t.undesire('H0STCNT0', 'A');
    const rel = t.nextAction()!;
    expect(rel).toEqual({ trType: '2', trId: 'H0STCNT0', trKey: 'A' });
    t.markSent(rel, 'k');
    expect(t.nextAction()).toBeUndefined();
    t.markReleased('H0STCNT0', 'A');
    expect(t.counts()).toEqual({ desired: 1, acknowledged: 1, pending: 0, rejected: 0 });
  });

  it('swapping the watchlist releases the old keys before subscribing the new ones (never over the cap)', () => {
    const t = new SubscriptionTable(40);
    t.setDesired([{ trId: 'H0STCNT0', trKey: 'OLD' }]);
    t.markSent(t.nextAction()!, 'k');
    t.markAcked('H0STCNT0', 'OLD');
    t.setDesired([{ trId: 'H0STCNT0', trKey: 'NEW' }]);
    expect(t.nextAction()).toEqual({ trType: '2', trId: 'H0STCNT0', trKey: 'OLD' });
    t.markSent(t.nextAction()!, 'k');
    expect(t.nextAction()).toEqual({ trType: '1', trId: 'H0STCNT0', trKey: 'NEW' });
  });

  it('a rejected key is not retried until desired again or a new connection', () => {
    const t = new SubscriptionTable(40);
    t.desire('H0STCNT0', 'A');
    t.markSent(t.nextAction()!, 'k');
    t.markRejected('H0STCNT0', 'A');
    expect(t.nextAction()).toBeUndefined();
    t.desire('H0STCNT0', 'A');
    expect(t.nextAction()?.trType).toBe('1');
  });

  it('after a lost connection: nothing acknowledged, and stale registrations are released first', () => {
    const t = new SubscriptionTable(40);
    t.desire('H0STCNT0', 'A');
    t.desire('H0STCNT0', 'B');
    for (let a = t.nextAction(); a; a = t.nextAction()) t.markSent(a, 'k');
    t.markAcked('H0STCNT0', 'A');
    t.markAcked('H0STCNT0', 'B');
    t.undesire('H0STCNT0', 'B'); // dropped before the release went out
    t.connectionLost();
    expect(t.counts().acknowledged).toBe(0);
    expect(t.releaseList().map((k) => k.trKey).sort()).toEqual(['A', 'B']);
    t.resetServer();
    expect(t.releaseList().map((k) => k.trKey)).toEqual(['A']);
  });

  it('revertPending resends a refused subscribe and restores a refused release', () => {
    const t = new SubscriptionTable(40);
    t.desire('X', '1');
    t.markSent(t.nextAction()!, 'bad');
    expect(t.sentWith('X', '1')).toBe('bad');
    t.revertPending('X', '1');
    expect(t.nextAction()).toEqual({ trType: '1', trId: 'X', trKey: '1' });
    t.markSent(t.nextAction()!, 'good');
    t.markAcked('X', '1');
    t.undesire('X', '1');
    t.markSent(t.nextAction()!, 'bad');
    t.revertPending('X', '1');
    expect(t.stateOf('X', '1')).toBe('acked');
    expect(t.nextAction()).toEqual({ trType: '2', trId: 'X', trKey: '1' });
  });
});
