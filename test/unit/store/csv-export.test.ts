import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csvField, exportCsv, openStore } from '../../../src/store/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kisd-csv-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  return { dataDir, store };
}

describe('csv export', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField('삼성전자')).toBe('삼성전자');
  });

  it('overwrites <dataDir>/csv/<table>.csv with a header and the current rows, tricky text intact', () => {
    const { dataDir, store } = setup();
    store.recoveryQueue.enqueue({ fetcherName: 'f', targetCode: '005930', taskType: 'daily_bars', errorMessage: 'HTTP 500, "EGW00201"\nretry' }, 1);
    const first = exportCsv(store.db, { dataDir, tables: ['recovery_queue'] });
    expect(first).toEqual([{ table: 'recovery_queue', path: join(dataDir, 'csv', 'recovery_queue.csv'), rows: 1 }]);
    exportCsv(store.db, { dataDir, tables: ['recovery_queue'] });
    const text = readFileSync(join(dataDir, 'csv', 'recovery_queue.csv'), 'utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,fetcher_name,target_code,task_type,params_json,error_message,retry_count,max_retries,status,created_at,updated_at,next_retry_at');
    expect(text).toContain('"HTTP 500, ""EGW00201""\nretry"');
    expect(text.split('\r\n').filter((l) => l.startsWith('1,f,005930')).length).toBe(1); // overwrite, not doubled
    expect(readdirSync(join(dataDir, 'csv')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    store.close();
  });

  it('append adds rows without repeating the header', () => {
    const { dataDir, store } = setup();
    store.dailyBars.upsert([{ symbol: '005930', date: '20261123', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, turnover: 15 }], 1);
    exportCsv(store.db, { dataDir, tables: ['daily_bars'], mode: 'append' });
    exportCsv(store.db, { dataDir, tables: ['daily_bars'], mode: 'append' });
    const lines = readFileSync(join(dataDir, 'csv', 'daily_bars.csv'), 'utf8').split('\r\n').filter(Boolean);
    expect(lines).toEqual(['symbol,date,open,high,low,close,volume,turnover,updated_at', '005930,20261123,1,2,0.5,1.5,10,15,1', '005930,20261123,1,2,0.5,1.5,10,15,1']);
    store.close();
  });

  it('exports every kisd table when none are named, and rejects unknown names before writing', () => {
    const { dataDir, store } = setup();
    const all = exportCsv(store.db, { dataDir });
    expect(all.map((r) => r.table)).toEqual(
      expect.arrayContaining(['alert_history', 'daily_bars', 'investor_flows', 'quotes', 'recovery_queue', 'order_journal', 'order_fills', 'positions']),
    );
    expect(all.map((r) => r.table)).not.toContain('schema_migrations');
    expect(() => exportCsv(store.db, { dataDir, tables: ['daily_bars', 'x; DROP TABLE quotes'] })).toThrow(/unknown table/);
    store.close();
  });
});
