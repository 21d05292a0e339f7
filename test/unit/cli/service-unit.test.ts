// `kisd --unit`: what it takes from a systemd unit (the installed deploy/kisd.service itself), how it reads the
// EnvironmentFile like systemd, and that it switches user only when running as root.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropToServiceUser, parseServiceUnit, readUnitEnvironment } from '../../../src/cli/service-unit.js';

const UNIT = join(import.meta.dirname, '../../../deploy/kisd.service');

describe('service unit', () => {
  it('reads the shipped unit: user, config, environment file, working directory', () => {
    const u = parseServiceUnit(readFileSync(UNIT, 'utf8'), UNIT);
    expect(u).toMatchObject({ user: 'kisd', group: 'kisd', configFile: '/etc/kisd/kisd.yaml', workingDirectory: '/var/lib/kisd', environmentFiles: [{ path: '/etc/kisd/kisd.env', optional: false }] });
    expect(u.environment['NODE_ENV']).toBe('production');
    expect(u.execStart.at(-3)).toBe('run');
  });

  it('ignores other sections, honours "-" (optional) and the last assignment', () => {
    const u = parseServiceUnit('[Unit]\nUser=nobody\n[Service]\nUser=a\nUser=b\nEnvironmentFile=-/x.env\nExecStart=/usr/bin/node main.js --config=/c.yaml run\n', 'u');
    expect(u.user).toBe('b');
    expect(u.environmentFiles).toEqual([{ path: '/x.env', optional: true }]);
    expect(u.configFile).toBe('/c.yaml');
  });

  it('reads KEY=VALUE files as systemd does, later files winning; an unreadable required file is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kisd-unit-env-'));
    writeFileSync(join(dir, 'a.env'), '# comment\nKISD_APP_KEY=abc\nKISD_HTS_ID="quoted id"\nEMPTY=\n');
    writeFileSync(join(dir, 'b.env'), 'KISD_APP_KEY=override\n');
    const u = parseServiceUnit(`[Service]\nEnvironment=NODE_ENV=production\nEnvironmentFile=${dir}/a.env\nEnvironmentFile=${dir}/b.env\nEnvironmentFile=-${dir}/none.env\nEnvironmentFile=${dir}/missing.env\n`, 'u');
    const env = readUnitEnvironment(u);
    expect(env.values).toEqual({ NODE_ENV: 'production', KISD_APP_KEY: 'override', KISD_HTS_ID: 'quoted id', EMPTY: '' });
    expect(env.unreadable).toEqual([{ path: `${dir}/missing.env`, code: 'ENOENT' }]);
  });

  it('switches to User=/Group= only as root', () => {
    const calls: string[] = [];
    const proc = (uid: number) => ({
      getuid: () => uid,
      initgroups: (u: string | number, g: string | number) => void calls.push(`initgroups ${u} ${g}`),
      setgid: (g: string | number) => void calls.push(`setgid ${g}`),
      setuid: (u: string | number) => void calls.push(`setuid ${u}`),
    });
    const u = parseServiceUnit('[Service]\nUser=kisd\nGroup=kisd\n', 'u');
    expect(dropToServiceUser(u, proc(1000))).toBeUndefined();
    expect(calls).toEqual([]);
    expect(dropToServiceUser(u, proc(0))).toBe('kisd');
    expect(calls).toEqual(['initgroups kisd kisd', 'setgid kisd', 'setuid kisd']);
  });
});
