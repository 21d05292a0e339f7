// `kisd risk status|reset` against a kill switch tripped on disk, as the daemon would leave it.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../../../src/core/clock.js';
import { KillSwitch } from '../../../src/trade/risk/index.js';
import { requireBuild, runCli, writeTestConfig } from './cli-harness.js';

beforeAll(() => requireBuild());

describe('kisd risk', () => {
  it('reports a tripped switch (exit 1), resets it with a name, then reports it clear', async () => {
    const dirs = writeTestConfig();
    const ks = new KillSwitch({ stateDir: join(dirs.varDir, 'state'), clock: systemClock, logger: pino({ level: 'silent' }) });
    await ks.load();
    await ks.trip('daily loss 1,200,000 KRW over the 1,000,000 KRW limit');

    const tripped = await runCli(['--config', dirs.configPath, 'risk', 'status']);
    expect(tripped.code, tripped.stderr).toBe(1);
    expect(tripped.stdout).toMatch(/TRIPPED since .*daily loss 1,200,000 KRW/);
    expect(tripped.stdout).toContain('kisd risk reset --by');

    const noName = await runCli(['--config', dirs.configPath, 'risk', 'reset']);
    expect(noName.code).toBe(2);

    const reset = await runCli(['--config', dirs.configPath, 'risk', 'reset', '--by', 'ops-kim']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('kill switch reset by ops-kim');

    const clear = await runCli(['--config', dirs.configPath, 'risk', 'status']);
    expect(clear.code, clear.stderr).toBe(0);
    expect(clear.stdout).toContain('not tripped (last reset by ops-kim');
  });
});
