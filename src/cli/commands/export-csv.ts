// `kisd export csv`: the seed's export_csv (seed 000 §5) on demand — tables of the SQLite store to
// `<out_dir>/<table>.csv`, overwrite (atomic replace, the recommended mode) or append. Defaults come from
// collect.export_csv in the config; the options override them.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { KisdError } from '../../core/errors.js';
import { exportCsv, openStore, resolveDatabasePath, type CsvExportMode } from '../../store/index.js';
import { openCliContext } from '../context.js';
import { CliError, EXIT_USAGE, println, type CliDeps } from './common.js';

interface ExportFlags {
  tables?: string;
  mode?: string;
  outDir?: string;
}

export function registerExportCommands(program: Command, deps: CliDeps): void {
  const exp = program.command('export').description('export stored data');
  exp
    .command('csv')
    .description('write store tables as CSV files (defaults from collect.export_csv)')
    .option('--tables <a,b>', 'comma-separated table names (default: collect.export_csv.tables, empty = all)')
    .option('--mode <mode>', 'overwrite | append (default: collect.export_csv.mode)')
    .option('--out-dir <dir>', 'output folder (default: collect.export_csv.out_dir under paths.var_dir)')
    .action(async (flags: ExportFlags) => {
      if (flags.mode !== undefined && flags.mode !== 'overwrite' && flags.mode !== 'append') {
        throw new CliError(`--mode must be overwrite or append, got "${flags.mode}"`, { exitCode: EXIT_USAGE });
      }
      const ctx = await openCliContext(program);
      try {
        const cfg = ctx.config.collect.export_csv;
        const paths = ctx.config.resolved.paths;
        const outSetting = flags.outDir ?? cfg.out_dir;
        // The config's out_dir is relative to var_dir; a path typed on the command line is relative to the cwd.
        const outDir = isAbsolute(outSetting) ? outSetting : flags.outDir !== undefined ? join(process.cwd(), outSetting) : join(paths.varDir, outSetting);
        const tables = flags.tables !== undefined ? flags.tables.split(',').map((t) => t.trim()).filter(Boolean) : [...cfg.tables];
        const mode = (flags.mode ?? cfg.mode) as CsvExportMode;
        const db = resolveDatabasePath({ dataDir: paths.dataDir });
        if (!existsSync(db)) throw new CliError(`no database yet at ${db}`, { hint: 'nothing has been collected with this config; run `kisd collect <dataset>` or the daemon first' });
        const store = openStore({ dataDir: paths.dataDir, nowMs: ctx.clock.nowMs() });
        try {
          const results = exportCsv(store.db, { outDir, tables, mode });
          for (const r of results) println(deps.stdout, `${r.table.padEnd(20)} ${String(r.rows).padStart(8)} rows  → ${r.path}`);
          println(deps.stdout, `OK: ${results.length} table(s) exported (${mode})`);
        } catch (err) {
          if (err instanceof KisdError && err.code === 'KISD_CSV_UNKNOWN_TABLE') throw new CliError(err.message, { exitCode: EXIT_USAGE });
          if (err instanceof KisdError && err.code === 'KISD_CSV_HEADER_MISMATCH') throw new CliError(err.message, { hint: 'use --mode overwrite, or move the old file aside' });
          throw err;
        } finally {
          store.close();
        }
      } finally {
        await ctx.logs.close();
      }
    });
}
