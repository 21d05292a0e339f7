// Every OPSP control code the simulated server emits, over a real socket (fact sheet §5 table).
import { describe, expect, it } from 'vitest';
import { harnessFixture, TestClient, until, type Harness } from './harness.js';

let h: Harness;
const fx = harnessFixture();
const connect = (): Promise<TestClient> => fx.connect();

describe('sim ws control replies', () => {
  it('OPSP0000 with a 16-char iv and 32-char key, then OPSP0002, OPSP0001 and OPSP0003', async () => {
    h = await fx.start();
    const c = await connect();
    const ok = await c.subscribe('approval-A', 'H0STASP0', '005930');
    expect(ok.header).toEqual({ tr_id: 'H0STASP0', tr_key: '005930', encrypt: 'N' });
    expect(ok.body.rt_cd).toBe('0');
    expect(ok.body.msg_cd).toBe('OPSP0000');
    expect(ok.body.msg1).toBe('SUBSCRIBE SUCCESS');
    expect(ok.body.output?.iv).toHaveLength(16);
    expect(ok.body.output?.key).toHaveLength(32);

    const dup = await c.subscribe('approval-A', 'H0STASP0', '005930');
    expect(dup.body).toMatchObject({ rt_cd: '1', msg_cd: 'OPSP0002', msg1: 'ALREADY IN SUBSCRIBE' });

    const released = await c.subscribe('approval-A', 'H0STASP0', '005930', '2');
    expect(released.body.msg_cd).toBe('OPSP0001');
    expect(released.body.msg1.slice(0, 5)).toBe('UNSUB');
    expect(h.sim.registrations()).toEqual([]);

    const unknown = await c.subscribe('approval-A', 'H0STASP0', '005930', '2');
    expect(unknown.body).toMatchObject({ rt_cd: '1', msg_cd: 'OPSP0003', msg1: 'UNSUBSCRIBE ERROR(not found!)' });
    expect(h.sim.stats().controlReplies).toEqual({ OPSP0000: 1, OPSP0002: 1, OPSP0001: 1, OPSP0003: 1 });
  });

  it('notice TRs are flagged encrypt=Y', async () => {
    h = await fx.start();
    const c = await connect();
    const r = await c.subscribe('approval-A', 'H0STCNI0', 'htsuserA');
    expect(r.header.encrypt).toBe('Y');
    expect(r.body.msg_cd).toBe('OPSP0000');
  });

  it('OPSP0003 MANDATORY INPUT MISSING for a missing tr_key or a bad tr_type', async () => {
    h = await fx.start();
    const c = await connect();
    expect((await c.subscribe('approval-A', 'H0STCNT0', '')).body).toMatchObject({ msg_cd: 'OPSP0003', msg1: 'MANDATORY INPUT MISSING' });
    expect((await c.subscribe('approval-A', 'H0STCNT0', '005930', '0')).body.msg_cd).toBe('OPSP0003');
    expect(h.sim.registrations()).toEqual([]);
  });

  it('OPSP0011 for an unknown approval key, naming the key', async () => {
    h = await fx.start();
    const c = await connect();
    const r = await c.subscribe('bogus-approval', 'H0STCNT0', '005930');
    expect(r.body).toEqual({ rt_cd: '1', msg_cd: 'OPSP0011', msg1: 'invalid approval : bogus-approval' });
  });

  it('checks the approval key only when the session binds', async () => {
    h = await fx.start();
    const c = await connect();
    expect((await c.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
    h.approvals.revoke('approval-A');
    expect((await c.subscribe('approval-A', 'H0STCNT0', '000660')).body.msg_cd).toBe('OPSP0000');
    // Another app's key on the same session is refused.
    expect((await c.subscribe('approval-B', 'H0STCNT0', '000660')).body.msg_cd).toBe('OPSP0011');
    const fresh = await connect();
    expect((await fresh.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0011');
  });

  it('OPSP0008 MAX SUBSCRIBE OVER on the 42nd registration of an app key', async () => {
    h = await fx.start();
    const c = await connect();
    for (let i = 0; i < 41; i++) {
      const r = await c.subscribe('approval-A', i % 2 ? 'H0STCNT0' : 'H0STASP0', String(100000 + i));
      expect(r.body.msg_cd).toBe('OPSP0000');
    }
    const over = await c.subscribe('approval-A', 'H0STCNT0', '005930');
    expect(over.body).toMatchObject({ rt_cd: '1', msg_cd: 'OPSP0008', msg1: 'MAX SUBSCRIBE OVER' });
    expect(h.sim.stats().registrations).toBe(41);
    // Another app key has its own 41.
    const other = await connect();
    expect((await other.subscribe('approval-B', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
    // Releasing one frees a slot.
    expect((await c.subscribe('approval-A', 'H0STCNT0', '100001', '2')).body.msg_cd).toBe('OPSP0001');
    expect((await c.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
  });

  it('honours maxRegistrations', async () => {
    h = await fx.start({ maxRegistrations: 2 });
    const c = await connect();
    await c.subscribe('approval-A', 'H0STCNT0', '005930');
    await c.subscribe('approval-A', 'H0STCNT0', '000660');
    expect((await c.subscribe('approval-A', 'H0STASP0', '005930')).body.msg_cd).toBe('OPSP0008');
  });

  it('OPSP8991 for an unsupported tr_id and OPSP9999 for non-JSON', async () => {
    h = await fx.start();
    const c = await connect();
    expect((await c.subscribe('approval-A', 'H0XXXXX0', '005930')).body.msg_cd).toBe('OPSP8991');
    c.ws.send('this is not json');
    const junk = await c.nextReply();
    expect(junk.header.tr_id).toBe('(null)');
    expect(junk.body).toMatchObject({ rt_cd: '9', msg_cd: 'OPSP9999' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await until(() => h.sim.stats().malformedInputs === 2, 'binary frame counted');
    expect(c.isOpen).toBe(true);
  });

  it('OPSP8996 ALREADY IN USE appkey for a second concurrent session; it binds once the first is gone', async () => {
    h = await fx.start();
    const first = await connect();
    expect((await first.subscribe('approval-A', 'H0STCNT0', '005930')).body.msg_cd).toBe('OPSP0000');
    const second = await connect();
    const refused = await second.subscribe('approval-A', 'H0STCNT0', '000660');
    expect(refused.header.tr_id).toBe('(null)');
    expect(refused.body).toMatchObject({ rt_cd: '9', msg_cd: 'OPSP8996', msg1: 'ALREADY IN USE appkey' });
    expect(second.isOpen).toBe(true); // our choice: the refused socket stays open
    expect(h.sim.registrations().map((r) => r.trKey)).toEqual(['005930']);

    first.ws.close(1000);
    await first.waitClosed();
    await until(() => h.sim.stats().sessions === 1, 'first session reaped');
    // A clean close released the first session's registrations.
    expect(h.sim.registrations()).toEqual([]);
    expect((await second.subscribe('approval-A', 'H0STCNT0', '000660')).body.msg_cd).toBe('OPSP0000');
  });
});
