// The layer directions of docs/ARCHITECTURE.md as rules: `npm run lint` fails on an import that runs up a
// floor, sideways between peers that must not know each other, or round in a circle. Floors, bottom up:
//   core → foundation (log, store, config) → adapters (kis, dart, sim) → services (feed, recovery, alerts,
//   health) → jobs (scheduler, collect, trade, report) → composition root (daemon) → entry (cli).
// A floor may import any floor below it, except that jobs see the broker adapters only as types (they
// depend on ports; the composition root plugs the adapters in).
/** @type {[name: string, folders: string[]][]} */
const FLOORS = [
  ['core', ['core']],
  ['foundation', ['log', 'store', 'config']],
  ['adapters', ['kis', 'dart', 'sim']],
  ['services', ['feed', 'recovery', 'alerts', 'health']],
  ['jobs', ['scheduler', 'collect', 'trade', 'report']],
  ['composition root', ['daemon']],
  ['entry', ['cli']],
];
const dir = (folders) => `^src/(${folders.join('|')})/`;
const upward = FLOORS.slice(0, -1).map(([name, folders], i) => ({
  name: `no-upward-from-${name.replace(/ /g, '-')}`,
  comment: `${name} (${folders.join(', ')}) may only import the floors below it`,
  severity: 'error',
  from: { path: dir(folders) },
  to: { path: dir(FLOORS.slice(i + 1).flatMap(([, f]) => f)) },
}));
/** Peers on one floor that must not import each other (each pair both ways). */
const peers = (floor, folders) =>
  folders.map((f) => ({
    name: `no-sideways-${floor}-${f}`,
    comment: `${f} must not import its peers on the ${floor} floor (${folders.filter((o) => o !== f).join(', ')}); move what both need down a floor`,
    severity: 'error',
    from: { path: `^src/${f}/` },
    to: { path: dir(folders.filter((o) => o !== f)) },
  }));
/** Ordered sub-floors inside one folder: each may import only those after it in the list. */
const ordered = (parent, subs) =>
  subs.slice(1).map((s, i) => ({
    name: `no-upward-in-${parent}-${s}`,
    comment: `inside ${parent}/, ${s} may not import ${subs.slice(0, i + 1).join(', ')}`,
    severity: 'error',
    from: { path: `^src/${parent}/${s}/` },
    to: { path: `^src/${parent}/(${subs.slice(0, i + 1).join('|')})/` },
  }));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle in the import graph (type-only imports included): break it by moving the shared part down',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    ...peers('foundation', ['store', 'config', 'log']).filter((r) => !(r.from.path === '^src/config/')),
    {
      name: 'no-foundation-config-to-store',
      comment: 'config compiles settings; it must not reach into the store',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/store/' },
    },
    ...peers('adapters', ['kis', 'dart', 'sim']),
    ...peers('services', ['feed', 'recovery', 'alerts', 'health']),
    ...peers('jobs', ['scheduler', 'collect', 'trade', 'report']),
    {
      name: 'jobs-see-adapters-as-types-only',
      comment: 'jobs depend on ports and the adapters\' vocabulary (types); calling into an adapter is the composition root\'s job',
      severity: 'error',
      from: { path: dir(['scheduler', 'collect', 'trade', 'report']) },
      to: { path: dir(['kis', 'dart', 'sim']), dependencyTypesNot: ['type-only'] },
    },
    // Inside the broker adapter: rest and ws build on auth and symbols, never on each other.
    ...peers('kis', ['kis/rest', 'kis/ws']).map((r) => ({ ...r, from: { path: r.from.path }, to: r.to })),
    ...ordered('kis', ['rest', 'ws', 'auth', 'symbols']).filter((r) => r.name !== 'no-upward-in-kis-ws'),
    // Inside trade: the session composes strategies and screening; strategies use risk; risk and reconcile read orders.
    ...ordered('trade', ['session', 'strategy', 'screening', 'risk', 'reconcile', 'orders']),
    {
      name: 'src-never-imports-tests',
      comment: 'test doubles and fixtures live in test/; src must not depend on them',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    moduleSystems: ['es6', 'cjs'],
    reporterOptions: { text: { highlightFocused: true } },
  },
};
