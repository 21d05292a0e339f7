// `kisd sim`: the KIS simulator on its own (REST + WebSocket on one loopback port), for other tools or a
// daemon pointed at it with kis.rest_base_url / kis.ws_url; `kisd sim fault …` scripts its faults.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { request } from 'undici';
import { systemClock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import { compileConfig, loadConfig } from '../../config/load.js';
import { SIM_CREDENTIALS, loadCredentials } from '../../config/credentials.js';
import { createLogger } from '../../log/logger.js';
import { startEmbeddedSimulator } from '../../daemon/embedded-sim.js';
import { startEmbeddedDartSimulator } from '../../daemon/dart-endpoint.js';
import { DART_SIM_API_KEY } from '../../dart/index.js';
import { stripCompiled } from '../context.js';
import { mergeSimApps, readSimAppsFile, type SimAppCredentials } from './sim-apps-file.js';
import { simBanner } from './sim-banner.js';
import { timeTravelClock, timeTravelFrom } from './time-travel.js';
import { formatKstTimestamp } from '../../core/kst.js';

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${name}: expected an integer from ${min} to ${max} (got ${value})`);
  return n;
}

export function registerSimCommand(program: Command): void {
  const sim = program
    .command('sim')
    .description('run the KIS simulator (and the OpenDART simulator beside it) alone and print their URLs')
    .option('--port <port>', 'port to listen on (0 = any free port)')
    .option('--flavor <flavor>', 'emulate the "real" or "paper" server')
    .option('--seed <n>', 'synthetic market seed')
    .option('--tick-rate <n>', 'WebSocket data records per second')
    .option('--at <kst>', 'start the simulator clock at this KST instant, "YYYY-MM-DD HH:MM[:SS]" or "HH:MM"')
    .option('--speed <n>', 'run the simulator clock N times faster (1-1000): token validity, rate windows and the market move with it')
    .option('--credentials <file>', 'register more app keys/accounts from a YAML/JSON list of { app_key, app_secret, account_no, hts_id } (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(async (opts: { port?: string; flavor?: string; seed?: string; tickRate?: string; credentials: string[]; at?: string; speed?: string }) => {
      const base = loadConfig({ file: program.opts<{ config?: string }>().config });
      if (opts.flavor !== undefined && opts.flavor !== 'real' && opts.flavor !== 'paper') throw new ConfigError(`--flavor: expected "real" or "paper" (got ${opts.flavor})`);
      const raw = stripCompiled(base) as { sim: Record<string, unknown> };
      const simRaw = { ...raw.sim };
      const port = intOption('port', opts.port, 0, 65_535);
      const seed = intOption('seed', opts.seed, 0, 2 ** 31 - 1);
      const tick = intOption('tick-rate', opts.tickRate, 0, 100_000);
      if (port !== undefined) simRaw['port'] = port;
      if (seed !== undefined) simRaw['seed'] = seed;
      if (tick !== undefined) simRaw['tick_records_per_sec'] = tick;
      if (opts.flavor) simRaw['flavor'] = opts.flavor;
      const config = compileConfig({ ...raw, mode: 'sim', sim: simRaw }, base.source);
      const credentials = base.mode === 'sim' ? loadCredentials(base) : SIM_CREDENTIALS;
      const builtIn: SimAppCredentials = { appKey: credentials.appKey, appSecret: credentials.appSecret, accountNo: `${credentials.cano}-${credentials.acntPrdtCd}`, htsId: credentials.htsId };
      const apps = mergeSimApps(builtIn, opts.credentials.map((path) => ({ path, apps: readSimAppsFile(resolve(path)) })));
      const travel = timeTravelFrom(opts, { mode: 'sim', externalSim: false, nowMs: systemClock.nowMs(), command: 'sim' });
      const clock = travel ? timeTravelClock(systemClock, travel) : systemClock;
      const logs = await createLogger({ level: config.log.level, maxSizeMb: 10, maxFiles: 1, console: config.log.console, consoleStream: process.stderr });
      const embedded = await startEmbeddedSimulator({ config, credentials, clock, logger: logs.logger, extraApps: apps.slice(1) });
      const dartSim = await startEmbeddedDartSimulator({ config, clock, logger: logs.logger }).catch(async (err: unknown) => {
        await embedded.close();
        throw err;
      });
      const { restUrl, wsUrl } = embedded.sim;
      process.stdout.write(
        simBanner({
          flavor: config.sim.flavor,
          seed: config.sim.seed,
          ratePerSec: config.sim.rate_limit_per_sec,
          restUrl,
          wsUrl,
          apps,
          firstIsBuiltIn: credentials.appKey === SIM_CREDENTIALS.appKey && credentials.appSecret === SIM_CREDENTIALS.appSecret,
          credentialFiles: opts.credentials,
          dart: { url: dartSim.url, apiKey: DART_SIM_API_KEY },
          ...(travel ? { clockNote: `from ${formatKstTimestamp(travel.startAtMs)} KST at ${travel.speed}x`, followClock: `kisd run --at "${formatKstTimestamp(travel.startAtMs)}" --speed ${travel.speed} --clock-anchor ${travel.anchorEpochMs}` } : {}),
        }),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await dartSim.close();
      await embedded.close();
      logs.flush();
      await logs.close();
    });

  const fault = sim.command('fault').description("script a running simulator's faults through its control endpoint");
  fault
    .command('add')
    .description('add a fault rule, e.g. kisd sim fault add --url http://127.0.0.1:PORT --kind http500 --count 3')
    .requiredOption('--url <restUrl>', 'the simulator REST URL printed by kisd sim')
    .requiredOption('--kind <kind>', 'http500|http502|http503|http504|egw00201|reset|hang|malformed|empty|noOutput|expireToken|revokeToken')
    .option('--path <path>', 'only calls to this path')
    .option('--tr-id <trId>', 'only calls with this tr_id')
    .option('--count <n>', 'the next N matching calls')
    .option('--probability <p>', 'each matching call with probability p (0..1)')
    .option('--after-accept', 'orders: process the order, then fail the reply')
    .action(async (o: { url: string; kind: string; path?: string; trId?: string; count?: string; probability?: string; afterAccept?: boolean }) => {
      const rule = {
        kind: o.kind,
        match: o.path || o.trId ? { path: o.path, trId: o.trId } : undefined,
        count: o.count === undefined ? undefined : Number(o.count),
        probability: o.probability === undefined ? undefined : Number(o.probability),
        afterAccept: o.afterAccept,
      };
      const res = await request(`${o.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(rule), headers: { 'content-type': 'application/json' } });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new ConfigError(`simulator refused the rule (HTTP ${res.statusCode}): ${text}`);
      process.stdout.write(`fault added: ${text}\n`);
    });
  fault
    .command('clear')
    .description('remove every fault rule')
    .requiredOption('--url <restUrl>', 'the simulator REST URL printed by kisd sim')
    .action(async (o: { url: string }) => {
      const res = await request(`${o.url}/__sim/faults`, { method: 'DELETE' });
      await res.body.text();
      process.stdout.write(`faults cleared (HTTP ${res.statusCode})\n`);
    });
}
