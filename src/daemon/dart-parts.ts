// The OpenDART adapter for one process (daemon or `kisd collect`): the client on the endpoint's URL and key
// with the dart.* limits, the API over it, and the corp-code map loaded once per KST day (cached on disk in the
// state dir, a corrupt cache quarantined and rebuilt).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { kstYmd } from '../core/kst.js';
import type { KisdConfig } from '../config/load.js';
import { createDartClient, DartApi, loadCorpCodeMap, type CorpCodeMap, type DartClient } from '../dart/index.js';
import type { DartEndpoint } from './dart-endpoint.js';

export interface DartParts {
  client: DartClient;
  api: DartApi;
  /** Today's corp-code map; one download a day at most, shared by every caller. */
  corpCodes(signal?: AbortSignal): Promise<CorpCodeMap>;
  close(): Promise<void>;
}

export function createDartParts(o: { endpoint: DartEndpoint; config: KisdConfig; clock: Clock; logger: Logger }): DartParts {
  const { config, clock } = o;
  const client = createDartClient({ apiKey: o.endpoint.apiKey, baseUrl: o.endpoint.baseUrl, clock, log: o.logger, perMinute: config.dart.per_minute, perDay: config.dart.per_day });
  const api = new DartApi(client);
  let memo: { ymd: string; map: Promise<CorpCodeMap> } | undefined;
  const corpCodes = (signal?: AbortSignal): Promise<CorpCodeMap> => {
    const ymd = kstYmd(clock.nowMs());
    if (memo?.ymd !== ymd) {
      const map = loadCorpCodeMap({ download: (s) => api.corpCodes({ signal: s, priority: 'bulk' }), dir: config.resolved.paths.stateDir, clock, log: o.logger }, signal);
      memo = { ymd, map };
      // A failed load is not remembered: the next caller tries again.
      map.catch(() => {
        if (memo?.map === map) memo = undefined;
      });
    }
    return memo.map;
  };
  return { client, api, corpCodes, close: () => client.close() };
}
