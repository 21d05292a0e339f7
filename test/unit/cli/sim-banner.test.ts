// The `kisd sim` banner: paper flavor points KIS's sample at vps/vops with svr="vps"; credentials that did
// not come built in (KISD_APP_* in sim mode may be someone's real keys) are masked, never printed.
import { describe, expect, it } from 'vitest';
import { simBanner } from '../../../src/cli/commands/sim-banner.js';

const app = { appKey: 'PSrealLookingAppKey0000000000000000001', appSecret: 'S'.repeat(180), accountNo: '12345678-01', htsId: 'someone' };
const base = { seed: 7, ratePerSec: 2, restUrl: 'http://127.0.0.1:4000', wsUrl: 'ws://127.0.0.1:4000', apps: [app], credentialFiles: [] };

describe('simBanner', () => {
  it('paper flavor: the paper_* keys and vps/vops, svr="vps", and the hint names --flavor real', () => {
    const text = simBanner({ ...base, flavor: 'paper', firstIsBuiltIn: true });
    expect(text).toContain('the paper (모의투자, VTS) server, seed 7, 2 req/s per app key');
    expect(text).toContain('ka.auth(svr="vps")');
    expect(text).toContain(`paper_app: "${app.appKey}"`);
    expect(text).toContain('my_paper_stock: "12345678"');
    expect(text).toContain('vps: "http://127.0.0.1:4000"');
    expect(text).toContain('vops: "ws://127.0.0.1:4000"');
    expect(text).not.toContain('my_app:');
    expect(text).toContain('`kisd sim --flavor real`');
  });

  it('credentials that are not the built-in ones are masked everywhere', () => {
    const text = simBanner({ ...base, flavor: 'real', firstIsBuiltIn: false });
    for (const secret of [app.appKey, app.appSecret, app.accountNo, '12345678', app.htsId]) expect(text).not.toContain(secret);
    expect(text).toContain('my_app: "<your app key>"');
    expect(text).toContain('PSre******** (38 chars) (as configured)');
  });

  it('with time travel it prints the kisd run flags that follow its clock', () => {
    const follow = 'kisd run --at "2026-12-07 08:55:00" --speed 60 --clock-anchor 1796000000000';
    const text = simBanner({ ...base, flavor: 'real', firstIsBuiltIn: true, clockNote: 'from 2026-12-07 08:55:00 KST at 60x', followClock: follow });
    expect(text).toContain('clock from 2026-12-07 08:55:00 KST at 60x');
    expect(text).toContain(`  and start it on this clock:\n    ${follow}\n`);
    expect(simBanner({ ...base, flavor: 'real', firstIsBuiltIn: true })).not.toContain('--clock-anchor');
  });
});
