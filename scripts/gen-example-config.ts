// `npm run gen:config`: rewrites config/kisd.example.yaml from the schema and src/config/setting-docs.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/config/load.js';
import { renderExampleConfig } from '../src/config/example-config.js';

const file = join(packageRoot(), 'config', 'kisd.example.yaml');
writeFileSync(file, renderExampleConfig());
process.stdout.write(`wrote ${file}\n`);
