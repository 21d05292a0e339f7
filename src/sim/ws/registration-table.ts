// Server-side realtime registrations, kept per app key as KIS does (41 per key, fact sheet §5). When a
// socket dies abnormally its registrations linger ownerless for a while, which is what makes a fresh
// socket's re-subscribe answer ALREADY IN SUBSCRIBE (seed 001 §4.1).
import type { CipherKeys } from './frames.js';
import type { VolumeMemory } from './tr-catalog.js';

export interface Registration<Owner> extends VolumeMemory {
  readonly appKey: string;
  readonly trId: string;
  readonly trKey: string;
  /** Key/iv sent in this registration's OPSP0000 reply; used to encrypt its notices. */
  readonly keys: CipherKeys;
  /** The live session receiving its data; undefined while lingering. */
  owner: Owner | undefined;
  /** Monotonic deadline after which a lingering registration is forgotten. */
  lingerUntilMonoMs: number | undefined;
}

export class RegistrationTable<Owner> {
  private readonly byApp = new Map<string, Map<string, Registration<Owner>>>();
  private readonly byTr = new Map<string, Set<Registration<Owner>>>();
  private version = 0;
  private cachedAll: Registration<Owner>[] | undefined;

  get(appKey: string, trId: string, trKey: string): Registration<Owner> | undefined {
    return this.byApp.get(appKey)?.get(slot(trId, trKey));
  }

  /** Registrations counted against an app key's cap, lingering ones included. */
  countFor(appKey: string): number {
    return this.byApp.get(appKey)?.size ?? 0;
  }

  add(appKey: string, trId: string, trKey: string, keys: CipherKeys, owner: Owner): Registration<Owner> {
    const reg: Registration<Owner> = { appKey, trId, trKey, keys, owner, lingerUntilMonoMs: undefined, lastVolume: undefined };
    let perApp = this.byApp.get(appKey);
    if (!perApp) this.byApp.set(appKey, (perApp = new Map()));
    perApp.set(slot(trId, trKey), reg);
    let perTr = this.byTr.get(slot(trId, trKey));
    if (!perTr) this.byTr.set(slot(trId, trKey), (perTr = new Set()));
    perTr.add(reg);
    this.touch();
    return reg;
  }

  remove(reg: Registration<Owner>): void {
    const perApp = this.byApp.get(reg.appKey);
    if (perApp?.get(slot(reg.trId, reg.trKey)) === reg) {
      perApp.delete(slot(reg.trId, reg.trKey));
      if (perApp.size === 0) this.byApp.delete(reg.appKey);
    }
    const perTr = this.byTr.get(slot(reg.trId, reg.trKey));
    if (perTr?.delete(reg) && perTr.size === 0) this.byTr.delete(slot(reg.trId, reg.trKey));
    this.touch();
  }

  /** A lingering registration re-subscribed by a new session starts delivering to it. */
  adopt(reg: Registration<Owner>, owner: Owner): void {
    reg.owner = owner;
    reg.lingerUntilMonoMs = undefined;
    this.touch();
  }

  /**
   * The session is gone. abnormal: its registrations linger until lingerUntilMonoMs (and keep counting
   * against the cap); otherwise they are released, as after a clean close frame.
   */
  releaseOwner(owner: Owner, abnormal: boolean, lingerUntilMonoMs: number): number {
    let n = 0;
    for (const reg of this.all()) {
      if (reg.owner !== owner) continue;
      n++;
      if (abnormal) {
        reg.owner = undefined;
        reg.lingerUntilMonoMs = lingerUntilMonoMs;
      } else {
        this.remove(reg);
      }
    }
    this.touch();
    return n;
  }

  /** Forgets lingering registrations whose deadline has passed; returns how many. */
  expireLingering(nowMonoMs: number): number {
    let n = 0;
    for (const reg of this.all()) {
      if (reg.owner === undefined && reg.lingerUntilMonoMs !== undefined && reg.lingerUntilMonoMs <= nowMonoMs) {
        this.remove(reg);
        n++;
      }
    }
    return n;
  }

  /** Registrations of one (tr_id, tr_key) across app keys. */
  forTr(trId: string, trKey: string): readonly Registration<Owner>[] {
    return [...(this.byTr.get(slot(trId, trKey)) ?? [])];
  }

  /** Snapshot array, rebuilt only after a change (the tick generator reads it many times a second). */
  all(): readonly Registration<Owner>[] {
    if (!this.cachedAll) {
      const out: Registration<Owner>[] = [];
      for (const perApp of this.byApp.values()) for (const reg of perApp.values()) out.push(reg);
      this.cachedAll = out;
    }
    return this.cachedAll;
  }

  /** Increments on every change; lets callers cache derived views. */
  get changeCount(): number {
    return this.version;
  }

  get size(): number {
    return this.all().length;
  }

  clear(): void {
    this.byApp.clear();
    this.byTr.clear();
    this.touch();
  }

  private touch(): void {
    this.version++;
    this.cachedAll = undefined;
  }
}

function slot(trId: string, trKey: string): string {
  return `${trId}|${trKey}`;
}
