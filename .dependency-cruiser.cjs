// The layer directions of docs/ARCHITECTURE.md as rules: `npm run lint` fails on an import that runs up a
// floor, sideways between peers that must not know each other, or round in a circle. Floors, bottom up:
//   core (shared vocabulary) → foundation (log, store, net, config, coord) → adapters (kis, dart, sim) → services (feed,
//   recovery, alerts, health) → jobs (scheduler, collect, trade) → composition root (daemon) → entry (cli).
// A floor may import any floor below it, except that jobs see the broker adapters only as types: they depend
// on ports, and the composition root plugs the adapters in. test/integration/lint/ proves each rule fires.
/** @type {[name: string, folders: string[]][]} */
const FLOORS = [
  ['core', ['core']],
  ['foundation', ['log', 'store', 'net', 'config', 'coord']],
  ['adapters', ['kis', 'dart', 'sim']],
  ['services', ['feed', 'recovery', 'alerts', 'health']],
  ['jobs', ['scheduler', 'collect', 'trade']],
  ['composition root', ['daemon']],
  ['entry', ['cli']],
];
const dir = (folders, base = 'src') => `^${base}/(${folders.join('|')})/`;
const slug = (s) => s.replace(/[ /]/g, '-');

const upward = FLOORS.slice(0, -1).map(([name, folders], i) => ({
  name: `no-upward-from-${slug(name)}`,
  comment: `${name} (${folders.join(', ')}) may only import the floors below it`,
  severity: 'error',
  from: { path: dir(folders) },
  to: { path: dir(FLOORS.slice(i + 1).flatMap(([, f]) => f)) },
}));

/** Folders that must not import each other: peers on one floor, or sibling adapters inside one folder. */
const peers = (folders, base = 'src') =>
  folders.map((f) => ({
    name: `no-sideways-${slug(`${base}/${f}`).replace(/^src-/, '')}`,
    comment: `${base}/${f} must not import ${folders.filter((o) => o !== f).join(', ')}: move what both need down a floor`,
    severity: 'error',
    from: { path: `^${base}/${f}/` },
    to: { path: dir(folders.filter((o) => o !== f), base) },
  }));

/** Sub-floors inside one folder, top first: each may import only those after it in the list. */
const ordered = (base, subs) =>
  subs.slice(1).map((s, i) => ({
    name: `no-upward-in-${slug(base).replace(/^src-/, '')}-${s.replace(/\|/g, '-')}`,
    comment: `inside ${base}/, ${s} may not import ${subs.slice(0, i + 1).join(', ')}`,
    severity: 'error',
    from: { path: `^${base}/${s}/` },
    to: { path: dir(subs.slice(0, i + 1), base) },
  }));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle in the import graph (type-only imports included): move the shared part into a file both import',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    // Foundation: config may use log (secret registration); store, log and net (HTTP plumbing) stand alone.
    ...peers(['store', 'log', 'net']),
    { name: 'no-sideways-config-store', comment: 'config compiles settings; it must not reach into the store', severity: 'error', from: { path: '^src/config/' }, to: { path: '^src/store/' } },
    ...peers(['kis', 'dart', 'sim']),
    ...peers(['feed', 'recovery', 'alerts', 'health']),
    ...peers(['scheduler', 'collect', 'trade']),
    {
      name: 'jobs-see-adapters-as-types-only',
      comment: "jobs depend on ports and on the adapters' vocabulary (types); calling into an adapter is the composition root's job",
      severity: 'error',
      from: { path: dir(['scheduler', 'collect', 'trade']) },
      to: { path: dir(['kis', 'dart', 'sim']), dependencyTypesNot: ['type-only'] },
    },
    // Collection is generic over sources: the framework never imports a source, and sources not each other.
    {
      name: 'collect-framework-is-source-free',
      comment: 'the bulk collector, fetcher port, recovery runner and freshness checks work on CollectDataset; only sources/ knows KIS or DART',
      severity: 'error',
      from: { path: '^src/collect/[^/]+[.]ts$', pathNot: '^src/collect/index[.]ts$' },
      to: { path: '^src/collect/sources/' },
    },
    ...peers(['kis', 'dart'], 'src/collect/sources'),
    // The KIS adapter: REST and WebSocket build on auth and symbols, never on each other.
    ...peers(['rest', 'ws'], 'src/kis'),
    ...ordered('src/kis', ['rest|ws', 'auth', 'symbols']),
    // Trading: the session runs strategies on today's screening; the report reads the day's orders; strategies
    // and the report use risk; risk reads the order journal (orders/, which includes its reconciliation).
    ...ordered('src/trade', ['session', 'report', 'strategy', 'screening', 'risk', 'orders']),
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
    tsConfig: { fileName: 'tsconfig.lint.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
