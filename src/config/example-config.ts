// Renders config/kisd.example.yaml from the schema itself (z.toJSONSchema: every name, default and accepted
// range) and SETTING_DOCS (what each setting means). `npm run gen:config` writes it; a test fails when the file,
// the schema or the docs disagree, so the example can never again show a non-default as a default or miss a
// section.
import { z } from 'zod';
import { configSchema } from './schema.js';
import { SETTING_DOCS } from './setting-docs.js';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
}

const HEADER = `# kisd configuration: every setting with its default and the values it accepts. Generated from the schema
# (src/config/schema.ts + src/config/setting-docs.ts) by \`npm run gen:config\`; do not edit by hand.
#
# Copy the settings you change into your own file (a config holds only what differs from these defaults;
# unknown keys are errors), then check it with \`kisd config check --config <file>\`. Units are in the names,
# times are KST. Under systemd the file is /etc/kisd/kisd.yaml (deploy/kisd.yaml is its starting point).
#
# Secrets never go in a config file. Provide them through the environment (the systemd unit reads
# /etc/kisd/kisd.env): KISD_APP_KEY, KISD_APP_SECRET, KISD_ACCOUNT_NO (e.g. 12345678-01), KISD_HTS_ID;
# or a credentials file (mode 0600) named by credentials_file or KISD_CREDENTIALS_FILE.
`;

/** The schema as JSON Schema (input side: what a person writes, with defaults). */
export function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Every setting path the schema has, sections included ("kis", "kis.http", "kis.http.max_retries", ...). */
export function settingPaths(schema: JsonSchema = configJsonSchema(), prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    if (child.type === 'object' && child.properties) out.push(...settingPaths(child, path));
  }
  return out;
}

/** "whole number 0-20", "sim | paper | real", ... */
function accepted(s: JsonSchema): string | undefined {
  if (s.enum) return s.enum.map(String).join(' | ');
  if (s.type === 'integer') return `whole number ${s.minimum ?? '…'}-${s.maximum ?? '…'}`;
  if (s.type === 'number') {
    if (s.exclusiveMinimum !== undefined) return `number > ${s.exclusiveMinimum}`;
    if (s.minimum !== undefined) return `number >= ${s.minimum}`;
    return 'number';
  }
  if (s.type === 'boolean') return 'true or false';
  if (s.pattern?.includes(':[0-5]')) return '"HH:MM" (00:00-23:59)';
  if (s.format === 'uri') return 'a URL';
  if (s.type === 'array') {
    const item = s.items;
    if (item?.pattern === '^\\d{8}$') return 'list of "YYYYMMDD" dates';
    return item?.type === 'object' ? 'list of entries' : 'list';
  }
  if (s.type === 'string') return s.minLength ? 'text, not empty' : 'text';
  return undefined;
}

/** A value as YAML on one line: JSON is valid YAML flow style, and quoting keeps "off" and "08:30" strings. */
function inline(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
    return JSON.stringify(value).replace(/"([a-z_][a-zA-Z0-9_]*)":/g, '$1: ').replace(/,/g, ', ');
  }
  return String(value);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function render(schema: JsonSchema, prefix: string, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const doc = SETTING_DOCS[path];
    if (doc === undefined) throw new Error(`setting ${path} has no description in src/config/setting-docs.ts`);
    const section = child.type === 'object' && child.properties !== undefined;
    if (depth === 0 && section) out.push('');
    const range = section ? undefined : accepted(child);
    for (const l of wrap(range ? `${doc} Accepts: ${range}.` : doc, 110 - pad.length)) out.push(`${pad}# ${l}`);
    if (section) {
      out.push(`${pad}${key}:`);
      render(child, path, depth + 1, out);
    } else if (child.default === undefined) {
      out.push(`${pad}# ${key}: (not set by default)`);
    } else {
      out.push(`${pad}${key}: ${inline(child.default)}`);
    }
  }
}

/** The text of config/kisd.example.yaml. Throws when a setting has no description. */
export function renderExampleConfig(): string {
  const out: string[] = [];
  render(configJsonSchema(), '', 0, out);
  return `${HEADER}\n${out.join('\n').replace(/^\n/, '')}\n`;
}
