// `kisd collect <dataset>`: one bulk collection run (seed 000 §4) through the checkpointed bulk collector on
// the broker — resumable (run the same command again after a crash or Ctrl-C), progress on stderr, a summary
// on stdout, and the symbols still failing listed with where they were written (failed-codes CSV + queue).
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import {
  checkpointPath,
  createBulkCollector,
  createDartDatasets,
  createDatasets,
  DATASET_NAMES,
  failedCodesPath,
  formatProgressLine,
  isDartDataset,
  isDatasetName,
  type CollectDataset,
  type CollectProgress,
  type CollectSummary,
  type DartDatasetName,
  type DatasetName,
} from '../../collect/index.js';
import { resolveDartEndpoint } from '../../daemon/dart-endpoint.js';
import { createDartParts } from '../../daemon/dart-parts.js';
import { createRecoveryQueue } from '../../recovery/index.js';
import { openStore, type Store } from '../../store/index.js';
import { openCliContext, type CliContext } from '../context.js';
import { describeServer, withBroker } from './broker-session.js';
import { CliError, EXIT_USAGE, formatSeconds, interruptSignal, println, secondsOption, type CliDeps, type TextSink } from './common.js';
import { resolveSymbols } from './symbols-source.js';

interface CollectFlags {
  symbols?: string;
  from?: string;
  to?: string;
  year?: string;
  report?: string;
  restart: boolean;
  finalPassDelay: number;
}

const YMD = /^\d{8}$/;

/**
 * Progress to stderr: rewritten in place on a terminal, otherwise one line at most every `everyMs`
 * (and always the last one), so a 2,800-symbol run does not print 2,800 lines into a log.
 */
export function progressPrinter(sink: TextSink & { isTTY?: boolean }, nowMono: () => number, everyMs = 2_000): { update(p: CollectProgress): void; end(): void } {
  const tty = Boolean(sink.isTTY);
  let lastAt = -Infinity;
  let lastPhase = '';
  let pending = false;
  return {
    update(p) {
      const now = nowMono();
      const last = p.done >= p.total;
      if (!last && p.phase === lastPhase && now - lastAt < (tty ? 200 : everyMs)) return;
      lastAt = now;
      lastPhase = p.phase;
      const line = formatProgressLine(p);
      if (tty) {
        sink.write(`\r\x1b[2K${line}`);
        pending = true;
      } else sink.write(`${line}\n`);
    },
    end() {
      if (pending) sink.write('\n');
      pending = false;
    },
  };
}

export function formatSummary(s: CollectSummary): string[] {
  const lines = [
    `${s.dataset} ${s.date}: ${s.collected}/${s.total} collected, ${s.notFound} without data, ${s.skipped} skipped after retries` +
      `${s.skipped > 0 ? `, ${s.recovered} recovered in the final pass` : ''}; ${s.rows} rows saved`,
    `  ${s.requests} requests in ${formatSeconds(s.elapsedMs)} (${s.requestsPerSec.toFixed(1)} req/s)${s.resumedFromIndex > 0 ? `, resumed at symbol ${s.resumedFromIndex + 1}` : ''}`,
  ];
  return lines;
}

/**
 * The last line of a run that left nothing missing: "OK: every symbol collected" only when every symbol's rows
 * were saved; symbols that answered a well-formed "no data" are said as such, and a run that saved no row at
 * all is not OK (exit 1) — the date range or the symbol list is probably wrong.
 */
function closingLine(s: CollectSummary): string {
  if (s.rows === 0 && s.total > 0) {
    throw new CliError(`no rows saved: all ${s.total} symbol(s) answered "no data"`, {
      hint: 'check the symbol list and, for daily-bars, the --from/--to range (weekends and holidays have no bars)',
    });
  }
  if (s.notFound > 0) return `OK: ${s.collected + s.recovered} symbol(s) collected; ${s.notFound} answered "no data" (nothing to save for them)`;
  return 'OK: every symbol collected';
}

type DatasetRun = (base: CollectDataset<unknown>, requests: () => number, via: string) => Promise<CollectSummary>;

/** A KIS dataset: the broker (and the built-in simulator in sim mode); requests are the REST client's attempts. */
async function withKisDataset(ctx: CliContext, store: Store, name: DatasetName, run: DatasetRun): Promise<CollectSummary> {
  return withBroker(ctx, async (broker, session) => {
    const all = createDatasets({
      kis: {
        api: broker.api,
        store,
        clock: ctx.clock,
        logger: ctx.logger,
        // The REST client drops a rejected token itself; getting one again issues the replacement.
        renewToken: async () => {
          await broker.tokens.getAccessToken();
        },
      },
    });
    // Every attempt the REST client sends, retries included: the count the server sees.
    let sent = 0;
    broker.rest.events.on('attempt', () => void sent++);
    return run(all[name] as CollectDataset<unknown>, () => sent, describeServer(ctx, session));
  });
}

/** An OpenDART dataset: the DART client (and the DART simulator in sim mode); requests are its attempts. */
async function withDartDataset(ctx: CliContext, store: Store, name: DartDatasetName, run: DatasetRun): Promise<CollectSummary> {
  const { config, clock, logger } = ctx;
  if (!config.dart.enabled) {
    throw new CliError(`${name} comes from OpenDART, which is off in ${config.source}`, { exitCode: EXIT_USAGE, hint: 'set dart.enabled: true (outside sim mode also KISD_DART_API_KEY)' });
  }
  const endpoint = await resolveDartEndpoint({ config, env: process.env, clock, logger });
  if (!endpoint) throw new CliError('OpenDART is off', { exitCode: EXIT_USAGE });
  const dart = createDartParts({ endpoint, config, clock, logger });
  try {
    const all = createDartDatasets({ api: dart.api, corpCodes: dart.corpCodes, store, clock, logger });
    let sent = 0;
    dart.client.events.on('attempt', () => void sent++);
    return await run(all[name], () => sent, endpoint.sim ? `the built-in DART simulator (${endpoint.baseUrl})` : `OpenDART ${endpoint.baseUrl}`);
  } finally {
    await dart.close();
    await endpoint.sim?.close();
  }
}

/** --from/--to (daily-bars, disclosures), --year/--report (financials) as the dataset's params; exit 2 when they do not apply. */
function paramsFor(name: DatasetName, flags: CollectFlags): Record<string, unknown> | undefined {
  for (const [flag, v, re] of [['--from', flags.from, YMD], ['--to', flags.to, YMD], ['--year', flags.year, /^20\d\d$/]] as const) {
    if (v !== undefined && !re.test(v)) throw new CliError(`${flag}: expected ${flag === '--year' ? 'YYYY (2015 or later)' : 'YYYYMMDD'}, got "${v}"`, { exitCode: EXIT_USAGE });
  }
  if ((flags.from || flags.to) && name !== 'daily-bars' && name !== 'disclosures') throw new CliError('--from/--to apply to daily-bars and disclosures only', { exitCode: EXIT_USAGE });
  if ((flags.year || flags.report) && name !== 'financials') throw new CliError('--year/--report apply to financials only', { exitCode: EXIT_USAGE });
  const report = flags.report === undefined ? undefined : REPORTS[flags.report];
  if (flags.report !== undefined && report === undefined) throw new CliError(`--report: expected one of ${Object.keys(REPORTS).join(', ')}, got "${flags.report}"`, { exitCode: EXIT_USAGE });
  const p: Record<string, unknown> = {
    ...(flags.from ? { fromYmd: flags.from } : {}),
    ...(flags.to ? { toYmd: flags.to } : {}),
    ...(flags.year ? { bsnsYear: Number(flags.year) } : {}),
    ...(report ? { reportCode: report } : {}),
  };
  return Object.keys(p).length > 0 ? p : undefined;
}

const REPORTS: Readonly<Record<string, string>> = { annual: '11011', half: '11012', q1: '11013', q3: '11014' };

export function registerCollectCommand(program: Command, deps: CliDeps): void {
  program
    .command('collect <dataset>')
    .description(`collect one dataset for a symbol list: ${DATASET_NAMES.join(' | ')}`)
    .option('--symbols <file|all>', 'symbols file (one code per line; us-quotes as EXCD:SYMBOL), or "all" (default: the configured watchlist)')
    .option('--from <YYYYMMDD>', 'daily-bars, disclosures: first day (default a week ago)')
    .option('--to <YYYYMMDD>', 'daily-bars: last day (default yesterday); disclosures: last receipt day (default today)')
    .option('--year <YYYY>', 'financials: business year (default last year)')
    .option('--report <annual|half|q1|q3>', 'financials: which report (default annual)')
    .option('--restart', "discard today's checkpoint and collect everything again", false)
    .addOption(secondsOption('--final-pass-delay <sec>', 'pause before re-trying the skipped symbols once more', 3600, 30))
    .addHelpText('after', '\nRe-running the same command resumes from the checkpoint. Exit status: 0 all collected, 1 some still missing, interrupted or stopped, 2 bad options.')
    .action(async (datasetName: string, flags: CollectFlags) => {
      if (!isDatasetName(datasetName)) throw new CliError(`unknown dataset "${datasetName}"; choose one of ${DATASET_NAMES.join(', ')}`, { exitCode: EXIT_USAGE });
      const params = paramsFor(datasetName, flags);
      const ctx = await openCliContext(program, { callsKis: !isDartDataset(datasetName), label: `kisd collect ${datasetName}` });
      const { symbols, source } = resolveSymbols(flags.symbols, ctx.config, datasetName === 'us-quotes' ? 'us' : 'kr');
      const dataDir = ctx.config.resolved.paths.dataDir;
      const store = openStore({ dataDir, nowMs: ctx.clock.nowMs() });
      const interrupt = interruptSignal();
      try {
        const run: DatasetRun = async (base, requests, via) => {
          const dataset = { ...base, params: params ?? base.params };
          if (flags.restart) rmSync(checkpointPath(dataDir, dataset.name), { force: true });
          println(deps.stdout, `collecting ${dataset.name} for ${symbols.length} symbol(s) from ${source} via ${via}`);
          const progress = progressPrinter(deps.stderr, () => ctx.clock.monotonicMs());
          const collector = createBulkCollector({
            dataDir,
            clock: ctx.clock,
            logger: ctx.logger,
            queue: createRecoveryQueue({ repo: store.recoveryQueue, clock: ctx.clock }),
            concurrency: ctx.config.collect.concurrency,
            checkpointEvery: ctx.config.collect.checkpoint_every,
            finalPassDelayMs: flags.finalPassDelay,
            onProgress: (p) => progress.update(p),
            requestCounter: requests,
          });
          try {
            return await collector.run(dataset, symbols, { signal: interrupt.signal });
          } finally {
            progress.end();
          }
        };
        const s = isDartDataset(datasetName) ? await withDartDataset(ctx, store, datasetName, run) : await withKisDataset(ctx, store, datasetName, run);
        reportSummary(deps, s, dataDir);
      } finally {
        interrupt.dispose();
        store.close();
        await ctx.logs.close();
      }
    });
}

/** The summary on stdout, then the exit status: what is missing, refused or stopped, and where it was written. */
function reportSummary(deps: CliDeps, s: CollectSummary, dataDir: string): void {
  const cp = checkpointPath(dataDir, s.dataset);
  if (s.alreadyComplete) {
    println(deps.stdout, `${s.dataset} was already collected today for this symbol list (${cp}); nothing fetched. Add --restart to collect again.`);
    return;
  }
  for (const line of formatSummary(s)) println(deps.stdout, line);
  if (s.stoppedBy !== undefined) throw new CliError(`collection stopped: ${s.stoppedBy}`, { hint: `fix that, then run the same command again to resume from ${cp}` });
  if (s.aborted) throw new CliError('collection interrupted; progress is saved', { hint: `run the same command again to resume from ${cp}` });
  if (s.rejected.length > 0) {
    println(deps.stdout, `  refused by KIS as invalid input, not retried or queued: ${s.rejected.slice(0, 20).join(', ')}${s.rejected.length > 20 ? `, ... (${s.rejected.length} in all)` : ''}`);
    println(deps.stdout, `  written to ${failedCodesPath(dataDir, s.dataset)}`);
  }
  if (s.stillFailed.length > 0) {
    const shown = s.stillFailed.slice(0, 20).join(', ') + (s.stillFailed.length > 20 ? `, ... (${s.stillFailed.length} in all)` : '');
    println(deps.stdout, `  still missing: ${shown}`);
    println(deps.stdout, `  written to ${failedCodesPath(dataDir, s.dataset)} and the recovery queue`);
    throw new CliError(`${s.stillFailed.length} symbol(s) could not be collected`, {
      hint: 'the daemon\'s recovery worker retries them (see `kisd queue list --status pending`); if every symbol failed, run `kisd probe` first',
    });
  }
  if (s.rejected.length > 0) {
    throw new CliError(`${s.rejected.length} symbol(s) refused by KIS as invalid input`, {
      hint: 'check those codes in the symbol list (an ETN is asked for with its Q prefix, e.g. Q500001); retrying them cannot help',
    });
  }
  println(deps.stdout, closingLine(s));
}
