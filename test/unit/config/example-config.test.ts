// config/kisd.example.yaml is generated from the schema: the file matches what the schema renders, every setting
// has a description and every description a setting, the example's values are exactly the defaults, and the
// service template deploy/kisd.yaml is a valid config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from '../../../src/config/load.js';
import { renderExampleConfig, settingPaths } from '../../../src/config/example-config.js';
import { SETTING_DOCS } from '../../../src/config/setting-docs.js';

const REPO = join(import.meta.dirname, '../../..');
const example = readFileSync(join(REPO, 'config/kisd.example.yaml'), 'utf8');

describe('config/kisd.example.yaml', () => {
  it('is what the schema renders (run `npm run gen:config` after changing the schema or its docs)', () => {
    expect(example).toBe(renderExampleConfig());
  });

  it('documents every setting, and documents nothing that is not a setting', () => {
    const paths = settingPaths();
    expect(paths.filter((p) => SETTING_DOCS[p] === undefined), 'settings without a description').toEqual([]);
    expect(Object.keys(SETTING_DOCS).filter((p) => !paths.includes(p)), 'descriptions of no setting').toEqual([]);
    for (const section of ['trading', 'trading.risk', 'trading.screening', 'scheduler.screening_symbols', 'collect.export_csv']) expect(paths).toContain(section);
  });

  it('shows the defaults: the example compiles to exactly the config an empty file gives', () => {
    const fromExample = compileConfig(parse(example), 'example', '/x');
    const defaults = compileConfig({}, 'example', '/x');
    expect(fromExample).toEqual(defaults);
  });

  it('names each setting with its accepted values', () => {
    expect(example).toMatch(/# .*Accepts: whole number 0-20\.\n\s+max_retries: 8\n/);
    expect(example).toMatch(/Accepts: sim \| paper \| real\.\nmode: "sim"\n/);
    expect(example).toContain('\n# credentials_file: (not set by default)\n');
  });

  it('deploy/kisd.yaml (the service template) is a valid config with the unit\'s paths', () => {
    const cfg = compileConfig(parse(readFileSync(join(REPO, 'deploy/kisd.yaml'), 'utf8')), 'deploy/kisd.yaml', '/');
    expect(cfg.paths.var_dir).toBe('/var/lib/kisd');
    expect(cfg.log.file).toBe('/var/log/kisd/kisd.log');
    expect(cfg.log.console).toBe('off');
  });
});
