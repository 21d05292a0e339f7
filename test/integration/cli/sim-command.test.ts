// `kisd sim` prints the URLs it listens on and serves KIS; `kisd sim fault add|clear` scripts its faults.
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, requireBuild, runCli, spawnCli, waitForStdout, writeTestConfig } from './cli-harness.js';

beforeAll(() => requireBuild());

describe('kisd sim', () => {
  it('prints REST and WebSocket URLs, takes fault rules from the CLI, and stops on SIGINT', async () => {
    const dirs = writeTestConfig();
    const child = spawnCli(['--config', dirs.configPath, 'sim', '--port', '0', '--tick-rate', '0']);
    const done = collect(child);
    const banner = await waitForStdout(child, /Press Ctrl\+C/);
    const rest = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    const ws = /WebSocket\s+(ws:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    expect(rest).toBeDefined();
    expect(ws?.split(':')[2]).toBe(rest?.split(':')[2]); // one port for both

    const add = await runCli(['sim', 'fault', 'add', '--url', rest!, '--kind', 'http500', '--path', '/uapi/domestic-stock/v1/quotations/inquire-price', '--count', '2']);
    expect(add.code, add.stderr).toBe(0);
    const listed = (await (await fetch(`${rest}/__sim/faults`)).json()) as unknown[];
    expect(JSON.stringify(listed)).toContain('http500');

    const bad = await runCli(['sim', 'fault', 'add', '--url', rest!, '--kind', 'http999']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('refused');

    const clear = await runCli(['sim', 'fault', 'clear', '--url', rest!]);
    expect(clear.code).toBe(0);
    expect(JSON.stringify(await (await fetch(`${rest}/__sim/faults`)).json())).not.toContain('http500');

    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });
});
