// The simulator's server-side memory of issued tokens and approval keys, kept in a 0600 JSON file so a
// restarted simulator honours them like KIS does (a token stays valid for 24 h whoever restarts). Used by the
// daemon's embedded simulator: without it every demo restart would issue a new token. A file that does not
// parse is ignored (the simulator then simply issues anew) and replaced on the next issue.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeJsonAtomic } from '../../core/atomic-file.js';
import type { SimApp, SimLog } from '../contracts.js';
import type { ApprovalRegistry } from './approval-registry.js';
import type { TokenRegistry } from './token-registry.js';

const fileSchema = z.object({
  tokens: z.array(z.object({ value: z.string(), appKey: z.string(), issuedAtMs: z.number(), expiresAtMs: z.number(), revoked: z.boolean() })),
  approvals: z.array(z.object({ key: z.string(), appKey: z.string(), expiresAtMs: z.number() })),
});

export function createServerStateFile(path: string, tokens: TokenRegistry, approvals: ApprovalRegistry, apps: readonly SimApp[], log?: SimLog): { flush(): Promise<void> } {
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined; // first start
  }
  if (text !== undefined) {
    const parsed = fileSchema.safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return undefined; } })());
    if (parsed.success) {
      const known = new Set(apps.map((a) => a.appKey));
      tokens.restore(parsed.data.tokens.filter((t) => known.has(t.appKey)));
      for (const a of parsed.data.approvals) {
        const app = apps.find((x) => x.appKey === a.appKey);
        if (app) approvals.restore(a.key, app, a.expiresAtMs);
      }
    } else {
      log?.warn({ path }, 'simulator server state unreadable; starting with no issued tokens (a new one will be issued)');
    }
  }
  let writing: Promise<void> = Promise.resolve();
  const save = (): void => {
    writing = writing
      .then(() => writeJsonAtomic(path, { tokens: tokens.liveRecords(), approvals: approvals.liveKeys() }, { mode: 0o600 }))
      .catch((err: unknown) => log?.warn({ path, err: String(err) }, 'could not save the simulator server state'));
  };
  tokens.onIssued(save);
  approvals.onIssued(save);
  return { flush: () => writing };
}
