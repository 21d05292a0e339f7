// Commands that never call KIS (queue, risk, status, export) run with a paper/real config and no credentials;
// the ones that call KIS stop with the credentials error before opening anything (exit 2).
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, runCli, writeTestConfig } from './cli-harness.js';

beforeAll(requireBuild);

describe('credentials only where KIS is called', () => {
  it('queue list, risk status, status and export csv need none', async () => {
    const t = writeTestConfig({ mode: 'paper' });
    const queue = await runCli(['--config', t.configPath, 'queue', 'list']);
    expect(queue.code, queue.stderr).toBe(0);
    expect(queue.stdout).toContain('the queue is empty');
    const risk = await runCli(['--config', t.configPath, 'risk', 'status']);
    expect(risk.code, risk.stderr).toBe(0);
    expect(risk.stdout).toContain('kill switch: not tripped');
    const status = await runCli(['--config', t.configPath, 'status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('kisd is not running');
    const exp = await runCli(['--config', t.configPath, 'export', 'csv']);
    expect(exp.code).toBe(1);
    expect(exp.stderr).toContain('no database yet');
    for (const r of [queue, risk, status, exp]) expect(r.stderr).not.toMatch(/credentials/);
  });

  it('token status and probe stop at the missing credentials with exit 2', async () => {
    const t = writeTestConfig({ mode: 'paper' });
    for (const args of [['token', 'status'], ['probe', '--successes', '1']]) {
      const r = await runCli(['--config', t.configPath, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/mode "paper" needs KIS credentials/);
    }
  });
});
