// Module boundaries for src/. Run: npx depcruise src --config .dependency-cruiser.cjs
// test/ is deliberately not cruised (tests may reach into module internals).

const MODULES = [
  'kernel',
  'ledger',
  'cards',
  'payments',
  'charging',
  'sales',
  'funding',
  'settlement',
  'foreign',
  'notify',
  'agents',
  'carriers',
  'reports',
  'protocols',
  'storage',
  'http',
  'jobs',
  'main',
  'acquirer',
];
const BUSINESS = [
  'ledger',
  'cards',
  'payments',
  'charging',
  'sales',
  'funding',
  'settlement',
  'foreign',
  'notify',
  'agents',
  'carriers',
  'reports',
];
const OUTER = ['http', 'protocols', 'jobs', 'main'];

/** `^src/(a|b|c)/` */
const dirs = (names) => `^src/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Circular dependency (type-only imports included). Break it with dependency inversion.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-is-a-leaf',
      severity: 'error',
      comment: 'src/kernel may not import anything from src outside src/kernel.',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'only-through-index',
      severity: 'error',
      comment:
        'A module may use another module only through its public surface src/<module>/index.ts (applies to src/main too).',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/[^/]+/',
        // $1 = the importing module: its own files are fine; other modules only via index.ts
        pathNot: ['^src/$1/', '^src/[^/]+/index[.]ts$'],
      },
    },
    {
      name: 'business-not-to-outer-layers',
      severity: 'error',
      comment: 'Business modules must not depend on http, protocols, jobs or main.',
      from: { path: dirs(BUSINESS) },
      to: { path: dirs(OUTER) },
    },
    {
      name: 'ledger-only-kernel-and-storage',
      severity: 'error',
      comment: 'src/ledger may import only src/kernel and src/storage (besides itself).',
      from: { path: '^src/ledger/' },
      to: { path: '^src/', pathNot: dirs(['ledger', 'kernel', 'storage']) },
    },
    {
      name: 'storage-only-kernel',
      severity: 'error',
      comment: 'src/storage may import only src/kernel (besides itself).',
      from: { path: '^src/storage/' },
      to: { path: '^src/', pathNot: dirs(['storage', 'kernel']) },
    },
    {
      name: 'main-is-composition-root',
      severity: 'error',
      comment:
        'Nothing outside src/main may import src/main (it wires everything; nothing depends on it).',
      from: { path: '^src/', pathNot: '^src/main/' },
      to: { path: '^src/main/' },
    },
    {
      name: 'acquirer-only-from-main',
      severity: 'error',
      comment:
        'src/acquirer is the sandbox acquirer, an external system living in our repo: only src/main may start it; OnePIN reaches it over HTTP.',
      from: { path: '^src/', pathNot: ['^src/main/', '^src/acquirer/'] },
      to: { path: '^src/acquirer/' },
    },
    {
      name: 'acquirer-only-kernel',
      severity: 'error',
      comment: 'src/acquirer may import only src/kernel (besides itself).',
      from: { path: '^src/acquirer/' },
      to: { path: '^src/', pathNot: dirs(['acquirer', 'kernel']) },
    },
    {
      name: 'known-modules-only',
      severity: 'error',
      comment: `src/ holds only the modules ${MODULES.join(', ')}. Add a new module here (and to the layer rules) on purpose.`,
      from: { path: '^src/', pathNot: dirs(MODULES) },
      to: {},
    },
    {
      name: 'not-to-unknown-module',
      severity: 'error',
      comment: `Imports into src/ must target one of the modules ${MODULES.join(', ')}.`,
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: dirs(MODULES) },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        "src/ ships to production: don't import devDependencies (type-only imports and @types are fine; tsx is allowed).",
      from: { path: '^src/' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['node_modules/@types/', '(^|/)node_modules/tsx/'],
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'Import that cannot be resolved on disk (typo, missing package, or a resolver misconfiguration that would make the other rules silently pass).',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6', 'cjs'],
    // count `import type` too: boundaries are about design, not just runtime
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      // sources import each other with explicit `.ts` (allowImportingTsExtensions)
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      archi: { collapsePattern: '^src/[^/]+' },
    },
  },
};
