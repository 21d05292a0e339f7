import { describe, expect, it } from 'vitest';
import { RegistrationTable } from '../../../src/sim/ws/registration-table.js';
import { parseClientMessage } from '../../../src/sim/ws/client-message.js';

const keys = { key: 'k'.repeat(32), iv: 'i'.repeat(16) };

describe('RegistrationTable', () => {
  it('counts per app key and finds by (tr_id, tr_key) across apps', () => {
    const t = new RegistrationTable<string>();
    t.add('A', 'H0STCNT0', '005930', keys, 's1');
    t.add('A', 'H0STASP0', '005930', keys, 's1');
    t.add('B', 'H0STCNT0', '005930', keys, 's2');
    expect(t.countFor('A')).toBe(2);
    expect(t.countFor('B')).toBe(1);
    expect(t.forTr('H0STCNT0', '005930').map((r) => r.owner).sort()).toEqual(['s1', 's2']);
    expect(t.get('A', 'H0STASP0', '005930')?.trId).toBe('H0STASP0');
    expect(t.get('B', 'H0STASP0', '005930')).toBeUndefined();
  });

  it('abnormal release lingers until the deadline, still counting; clean release removes', () => {
    const t = new RegistrationTable<string>();
    t.add('A', 'H0STCNT0', '005930', keys, 's1');
    t.add('A', 'H0STCNT0', '000660', keys, 's1');
    t.add('B', 'H0STCNT0', '005930', keys, 's2');
    expect(t.releaseOwner('s1', true, 5_000)).toBe(2);
    expect(t.countFor('A')).toBe(2);
    expect(t.all().filter((r) => r.owner === undefined)).toHaveLength(2);
    expect(t.expireLingering(4_999)).toBe(0);
    const reg = t.get('A', 'H0STCNT0', '005930')!;
    t.adopt(reg, 's3');
    expect(t.expireLingering(5_000)).toBe(1); // only the one nobody re-subscribed
    expect(t.countFor('A')).toBe(1);
    expect(t.get('A', 'H0STCNT0', '005930')?.owner).toBe('s3');
    t.releaseOwner('s2', false, 0);
    expect(t.countFor('B')).toBe(0);
    expect(t.forTr('H0STCNT0', '005930')).toHaveLength(1);
  });

  it('caches all() until a change', () => {
    const t = new RegistrationTable<string>();
    t.add('A', 'H0STCNT0', '005930', keys, 's1');
    const first = t.all();
    expect(t.all()).toBe(first);
    t.remove(first[0]!);
    expect(t.all()).toHaveLength(0);
    expect(t.size).toBe(0);
  });
});

describe('parseClientMessage', () => {
  it('recognises PINGPONG, requests and junk', () => {
    expect(parseClientMessage('{"header":{"tr_id":"PINGPONG","datetime":"20261123100000"}}')).toEqual({ kind: 'pingpong' });
    expect(
      parseClientMessage(
        JSON.stringify({
          header: { approval_key: 'ak', custtype: 'P', tr_type: '1', 'content-type': 'utf-8' },
          body: { input: { tr_id: 'H0STCNT0', tr_key: '005930' } },
        }),
      ),
    ).toEqual({ kind: 'request', approvalKey: 'ak', trType: '1', trId: 'H0STCNT0', trKey: '005930' });
    expect(parseClientMessage('{"header":{"approval_key":"ak","tr_type":"2"}}')).toEqual({
      kind: 'request',
      approvalKey: 'ak',
      trType: '2',
      trId: '',
      trKey: '',
    });
    expect(parseClientMessage('not json')).toEqual({ kind: 'malformed' });
    expect(parseClientMessage('[1,2]')).toEqual({ kind: 'malformed' });
    expect(parseClientMessage('null')).toEqual({ kind: 'malformed' });
  });
});
