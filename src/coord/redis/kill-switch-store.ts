// The kill switch's state shared across hosts through Redis (issue 11 item 2): a trip on one host stops new
// entries on every host that reads `kisd:<appKeyFingerprint>:kill-switch`, and `kisd risk reset` on any host
// clears it for all. Same port as the file store (src/trade/risk/kill-switch-store.ts), structurally.
// The host file stays underneath: every state is mirrored to it and it is what is read while Redis cannot be
// reached. A trip or reset made during an outage is published when Redis answers again unless Redis holds a
// later decision (outageStateWins: a trip is never lost, a reset never clears a trip it did not see), and a
// Redis that lost its keys is given this host's copy.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { FallbackNotice } from './credential-fallback.js';

type KillSwitchRead<S> = { kind: 'absent' } | { kind: 'ok'; state: S } | { kind: 'corrupt'; reason: string; quarantinedTo: string | undefined };

/** The trade/risk KillSwitchStore port, structurally. */
interface Store<S> {
  readonly where: string;
  read(): Promise<KillSwitchRead<S>>;
  write(state: S): Promise<void>;
}

/** The fields of the kill switch state the merge after an outage needs (trade/risk KillSwitchState). */
interface TripState {
  tripped: boolean;
  trippedAtMs: number;
}

/**
 * Should a state this host wrote while Redis was unreachable replace what Redis holds now? A trip: yes, unless
 * Redis already holds a trip at least as recent (fail closed). A reset: only of the trip Redis holds or an
 * older one — never a newer trip made on another host meanwhile.
 */
export function outageStateWins(mine: TripState, theirs: TripState | undefined): boolean {
  if (!theirs) return true;
  if (mine.tripped) return !(theirs.tripped && theirs.trippedAtMs >= mine.trippedAtMs);
  return theirs.trippedAtMs <= mine.trippedAtMs;
}

export interface RedisKillSwitchStoreOptions<S> {
  client: Redis;
  notice: FallbackNotice;
  /** The host's file store (fileKillSwitchStore): mirror and fallback. */
  local: Store<S>;
  /** parseKillSwitchState: validates a stored copy. */
  parse: (text: string) => { ok: true; state: S } | { ok: false; reason: string };
  /** appKeyFingerprint(appKey): the key name's prefix, never the key. */
  keyFingerprint: string;
  displayUrl: string;
  clock: Clock;
  log: Logger;
}

export function killSwitchKey(keyFingerprint: string): string {
  return `kisd:${keyFingerprint}:kill-switch`;
}

const CORRUPT_KEEP_SEC = 7 * 86_400;

export function redisKillSwitchStore<S extends TripState>(o: RedisKillSwitchStoreOptions<S>): Store<S> {
  const { client, notice, local, log } = o;
  const key = killSwitchKey(o.keyFingerprint);
  let unpublished: S | undefined;
  let mirrored: string | undefined;

  async function mirror(text: string, state: S): Promise<void> {
    if (mirrored === text) return;
    try {
      await local.write(state);
      mirrored = text;
    } catch (err) {
      log.warn({ path: local.where, err: String(err) }, 'could not mirror the kill switch to this host\'s file (read while Redis is unreachable)');
    }
  }

  async function readRedis(): Promise<KillSwitchRead<S>> {
    if (unpublished !== undefined) {
      const mine = unpublished;
      const current = await client.get(key);
      const theirs = current === null ? undefined : o.parse(current);
      if (outageStateWins(mine, theirs?.ok ? theirs.state : undefined)) {
        await client.set(key, JSON.stringify(mine));
        log.warn({ key, tripped: mine.tripped }, 'kill switch state changed on this host while Redis was unreachable; published it');
      } else {
        log.warn({ key, tripped: mine.tripped }, 'kill switch state changed on this host while Redis was unreachable, but another host decided later; kept theirs');
      }
      unpublished = undefined;
    }
    const text = await client.get(key);
    if (text === null) {
      const mine = await local.read();
      if (mine.kind === 'ok' && (await client.set(key, JSON.stringify(mine.state), 'NX')) === 'OK') {
        log.info({ key }, 'Redis had no kill switch state; published this host\'s copy');
      }
      return mine;
    }
    const parsed = o.parse(text);
    if (!parsed.ok) {
      const aside = `${key}:corrupt:${o.clock.nowMs()}`;
      await client.rename(key, aside).catch(() => undefined);
      await client.expire(aside, CORRUPT_KEEP_SEC).catch(() => undefined);
      return { kind: 'corrupt', reason: parsed.reason, quarantinedTo: aside };
    }
    await mirror(text, parsed.state);
    return { kind: 'ok', state: parsed.state };
  }

  return {
    where: `${o.displayUrl} key ${key}`,
    async read() {
      if (!(await notice.usable())) return local.read();
      try {
        const read = await readRedis();
        notice.succeeded();
        return read;
      } catch (err) {
        notice.failed('reading the kill switch', err);
        return local.read();
      }
    },
    async write(state) {
      const text = JSON.stringify(state);
      let shared = false;
      if (await notice.usable()) {
        try {
          await client.set(key, text);
          shared = true;
          unpublished = undefined;
          notice.succeeded();
        } catch (err) {
          notice.failed('writing the kill switch', err);
        }
      }
      if (!shared) unpublished = state;
      // Always on the host too: it is the copy read during an outage and after a restart during one.
      await local.write(state);
      mirrored = text;
    },
  };
}
