// `kisd <command>` loads only that command's module (start-up time of every CLI call); help and unknown names
// still see the whole tree.
import { describe, expect, it } from 'vitest';
import { buildProgram, commandNameOf } from '../../../src/cli/program.js';

const ALL = ['run', 'sim', 'status', 'probe', 'collect', 'token', 'keys', 'queue', 'risk', 'export', 'config'];
const argv = (...args: string[]): string[] => ['node', 'kisd', ...args];

describe('loading only the command a command line names', () => {
  it('finds the command past the global options and their values', () => {
    expect(commandNameOf(argv('status'))).toBe('status');
    expect(commandNameOf(argv('--config', 'status', 'queue', 'list'))).toBe('queue'); // a config file named "status"
    expect(commandNameOf(argv('-c', 'run', 'risk', 'status'))).toBe('risk');
    expect(commandNameOf(argv('--config=x.yaml', '--unit', '/etc/kisd.service', 'collect', 'quotes'))).toBe('collect');
    expect(commandNameOf(argv('--help'))).toBeUndefined();
    expect(commandNameOf(argv('help', 'collect'))).toBeUndefined();
    expect(commandNameOf(argv('nosuch'))).toBeUndefined();
    expect(commandNameOf(argv('toString'))).toBeUndefined(); // not an inherited property
  });

  it('registers the named command alone, and every command otherwise, in the help order', async () => {
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect((await buildProgram(quiet, argv('-c', 'a.yaml', 'token', 'status'))).commands.map((c) => c.name())).toEqual(['token']);
    expect((await buildProgram(quiet, argv('--help'))).commands.map((c) => c.name())).toEqual(ALL);
    expect((await buildProgram(quiet)).commands.map((c) => c.name())).toEqual(ALL);
  });
});
