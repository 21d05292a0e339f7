// Test control API on the simulator's own port, under /__sim/ (JSON in and out, no credentials: loopback only):
//   POST   /__sim/faults          add a FaultRule → {id}
//   GET    /__sim/faults          → {faults}
//   DELETE /__sim/faults[?id=…]   remove one rule, or all
//   GET    /__sim/stats           → SimStatsSnapshot
//   POST   /__sim/stats/reset     zero the counters
//   POST   /__sim/tokens/expire   expire every issued token
//   POST   /__sim/tokens/revoke   revoke every token, or {"token": "…"} just one
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenRegistry } from './auth/token-registry.js';
import type { FaultRule, FaultTable } from './faults.js';
import { JSON_CONTENT_TYPE } from './rest/http-io.js';
import type { StatsRecorder } from './stats.js';

export interface ControlDeps {
  faults: FaultTable;
  stats: StatsRecorder;
  tokens: TokenRegistry;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': String(buf.length) });
  res.end(buf);
}

function parse(raw: string): unknown {
  if (raw.trim() === '') return {};
  return JSON.parse(raw) as unknown;
}

export function createControlHandler(deps: ControlDeps) {
  return (req: IncomingMessage, res: ServerResponse, path: string, rawBody: string): void => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    let body: unknown;
    try {
      body = parse(rawBody);
    } catch {
      json(res, 400, { error: 'body is not JSON' });
      return;
    }
    const route = `${method} ${path}`;
    switch (route) {
      case 'POST /__sim/faults':
        try {
          json(res, 200, { id: deps.faults.add(body as FaultRule) });
        } catch (err) {
          json(res, 400, { error: err instanceof Error ? err.message : String(err) });
        }
        return;
      case 'GET /__sim/faults':
        json(res, 200, { faults: deps.faults.list() });
        return;
      case 'DELETE /__sim/faults': {
        const id = url.searchParams.get('id');
        if (id) deps.faults.remove(id);
        else deps.faults.clear();
        json(res, 200, { ok: true });
        return;
      }
      case 'GET /__sim/stats':
        json(res, 200, deps.stats.snapshot());
        return;
      case 'POST /__sim/stats/reset':
        deps.stats.reset();
        json(res, 200, { ok: true });
        return;
      case 'POST /__sim/tokens/expire':
        deps.tokens.expireAll();
        json(res, 200, { ok: true });
        return;
      case 'POST /__sim/tokens/revoke': {
        const token = (body as { token?: unknown } | null)?.token;
        if (typeof token === 'string') {
          json(res, 200, { ok: deps.tokens.revoke(token) });
          return;
        }
        deps.tokens.revokeAll();
        json(res, 200, { ok: true });
        return;
      }
      default:
        json(res, 404, { error: `unknown control route ${route}` });
    }
  };
}
