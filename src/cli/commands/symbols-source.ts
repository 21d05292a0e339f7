// Where `kisd collect` gets its symbol list: a file (one code per line; commas and spaces also separate,
// '#' starts a comment), `all` (the operator's master list `<data>/symbols/kr.txt` or `us.txt`, or in sim
// mode the simulator's whole universe), or by default the configured watchlist. Every code is validated
// up front so a typo fails the command (exit 2) instead of becoming a skipped symbol 2,000 calls later.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KisdConfig } from '../../config/load.js';
import { isDomesticCode, parseOverseasSymbol } from '../../kis/symbols/index.js';
import { buildUniverse } from '../../sim/index.js';
import { CliError, EXIT_USAGE } from './common.js';

export type SymbolMarket = 'kr' | 'us';

export interface SymbolList {
  symbols: string[];
  /** For the output: "symbols.txt", "the configured watchlist", ... */
  source: string;
}

/** Problem text for one code, or undefined when valid. US codes are written "EXCD:SYMB" (e.g. NAS:AAPL). */
export function symbolProblem(code: string, market: SymbolMarket): string | undefined {
  if (market === 'kr') return isDomesticCode(code) ? undefined : 'not a domestic code (6 digits like 005930, new-style like 0088M0, ETN like Q500001)';
  const [excd, symb, extra] = code.split(':');
  if (!excd || !symb || extra !== undefined) return 'expected EXCD:SYMBOL, e.g. NAS:AAPL';
  try {
    parseOverseasSymbol(symb, excd);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Parses a symbol file's text; throws CliError (exit 2) listing the bad lines. Duplicates are dropped. */
export function parseSymbolsText(text: string, market: SymbolMarket, source: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*/, '').trim();
    if (!content) return;
    for (const raw of content.split(/[\s,;]+/)) {
      const code = raw.trim().toUpperCase();
      if (!code) continue;
      const problem = symbolProblem(code, market);
      if (problem) problems.push(`${source}:${i + 1}: "${raw}": ${problem}`);
      else seen.add(code);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10);
    if (problems.length > 10) shown.push(`... and ${problems.length - 10} more`);
    throw new CliError(`invalid symbols:\n  ${shown.join('\n  ')}`, { exitCode: EXIT_USAGE, hint: 'fix or remove those lines' });
  }
  if (seen.size === 0) throw new CliError(`${source}: no symbols in the file`, { exitCode: EXIT_USAGE });
  return [...seen];
}

export function masterListPath(config: KisdConfig, market: SymbolMarket): string {
  return join(config.resolved.paths.dataDir, 'symbols', `${market}.txt`);
}

/** The symbols for one collection run. `option` is the --symbols value (a path or "all"), undefined = watchlist. */
export function resolveSymbols(option: string | undefined, config: KisdConfig, market: SymbolMarket): SymbolList {
  if (option === undefined) {
    const list = market === 'kr' ? config.feed.kr_watchlist : config.feed.us_watchlist;
    return { symbols: parseSymbolsText(list.join('\n'), market, `feed.${market}_watchlist`), source: `the configured watchlist (feed.${market}_watchlist)` };
  }
  if (option === 'all') {
    const master = masterListPath(config, market);
    if (existsSync(master)) return { symbols: parseSymbolsText(readFileSync(master, 'utf8'), market, master), source: master };
    if (config.mode === 'sim') {
      const u = buildUniverse();
      const symbols = market === 'kr' ? u.kr.map((s) => s.requestCode) : u.us.map((s) => `${s.exchange}:${s.symbol}`);
      return { symbols, source: "the simulator's universe" };
    }
    throw new CliError(`--symbols all needs the master list ${master}`, {
      exitCode: EXIT_USAGE,
      hint: `write every code to collect there (one per line${market === 'us' ? ', as EXCD:SYMBOL' : ''}), or pass --symbols <file>`,
    });
  }
  let text: string;
  try {
    text = readFileSync(option, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read symbols file ${option} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { exitCode: EXIT_USAGE, hint: 'pass an existing file or "all"' });
  }
  return { symbols: parseSymbolsText(text, market, option), source: option };
}
