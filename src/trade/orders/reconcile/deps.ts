// What a reconciliation pass works with (the order manager supplies it): its own file so the pass and the
// position check it calls share the type without importing each other.
import type { Logger } from 'pino';
import type { AlertPort } from '../../../core/alert.js';
import type { Clock } from '../../../core/clock.js';
import type { OrderBroker } from '../broker-port.js';
import type { OrderJournal } from '../journal.js';
import type { CompiledOrderManagerOptions } from '../options.js';

export interface ReconcileDeps {
  journal: OrderJournal;
  broker: OrderBroker;
  clock: Clock;
  log: Logger;
  alerts?: AlertPort;
  options: CompiledOrderManagerOptions;
  /** Orders with a request in flight in this process: their reply will settle them. */
  inFlight: ReadonlySet<string>;
  /** Called when reconciliation attaches a KIS order number (buffered notices can then apply). */
  onLegAttached?: (kisOrderNo: string) => void;
  /** Notices waiting for their order number to be attached (their fills are not in the ledger yet). */
  bufferedNotices?: () => ReadonlyArray<{ orderNo: string; code: string }>;
  /** A skipped position comparison fails the pass (true until one has succeeded). Default true. */
  requirePositionCheck?: boolean;
}
