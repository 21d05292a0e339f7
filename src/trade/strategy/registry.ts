// Strategies are chosen by name in the config: a registry maps names to factories. The built-in registry
// knows the reference opening-range breakout; authors register their own before the daemon starts.
import { ConfigError } from '../../core/errors.js';
import { createOpeningRangeBreakout, OPENING_RANGE_BREAKOUT } from './opening-range-breakout.js';
import type { Strategy, StrategyFactory } from './types.js';

/** One configured strategy: the registered kind, an optional instance name, its parameters. */
export interface StrategyConfig {
  /** Registered kind, e.g. "opening-range-breakout". */
  kind: string;
  /** Instance name (journal, state file, logs); default the kind. Unique per daemon. */
  name?: string;
  params?: Record<string, unknown>;
}

export class StrategyRegistry {
  private readonly factories = new Map<string, StrategyFactory>();

  register(kind: string, factory: StrategyFactory): this {
    if (this.factories.has(kind)) throw new ConfigError(`strategy kind ${JSON.stringify(kind)} is registered twice`);
    this.factories.set(kind, factory);
    return this;
  }

  kinds(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** Builds one strategy; throws ConfigError for an unknown kind or bad parameters. */
  create(cfg: StrategyConfig): Strategy {
    const factory = this.factories.get(cfg.kind);
    if (!factory) throw new ConfigError(`unknown strategy ${JSON.stringify(cfg.kind)}; known: ${this.kinds().join(', ') || '(none)'}`, { field: 'strategies.kind' });
    return factory(cfg.params ?? {}, cfg.name ?? cfg.kind);
  }

  /** Builds all; names must be unique. */
  createAll(cfgs: readonly StrategyConfig[]): Strategy[] {
    const out = cfgs.map((c) => this.create(c));
    const names = out.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new ConfigError(`strategy name ${JSON.stringify(dup)} is used twice; give each instance its own name`, { field: 'strategies.name' });
    return out;
  }
}

/** A registry with the built-in strategies. */
export function defaultStrategyRegistry(): StrategyRegistry {
  return new StrategyRegistry().register(OPENING_RANGE_BREAKOUT, (params, name) => createOpeningRangeBreakout(params, name));
}
