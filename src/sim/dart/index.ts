// Public surface of the DART simulator (a second server beside the KIS one; docs/data-sources.md §OpenDART).
export { createDartSimulator, type DartSimulator, type DartSimulatorOptions, type DartSimKey } from './dart-simulator.js';
export { DartFaultTable, DART_FAULT_KINDS, type DartFaultKind, type DartFaultRule } from './dart-faults.js';
export { DartUniverse, type DartFiler } from './dart-universe.js';
export { DisclosureFeed, PERIODIC, dayOfKst, kstEpoch, type SimDisclosure, type DisclosureKind } from './disclosure-feed.js';
export { DART_SIM_PATHS, DART_MESSAGES, corpCodeZip } from './dart-routes.js';
