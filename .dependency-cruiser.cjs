// The layers of src/ and the rules that keep them one-way (issue 20's layout): run by `npm run lint`.
// A folder may import only folders listed before it in LAYERS; folders on one line are siblings and
// import neither each other. No import cycle anywhere in src/, also not inside one folder.
//
// TypeScript 7 (the native compiler) has no JavaScript API that dependency-cruiser 18 can use (it
// supports <7.0 and >=7.1), so the .ts files are parsed with swc (@swc/core, a devDependency). swc
// keeps `import type` as a dependency: a type import counts for the layers and the cycles as well.
require.resolve('@swc/core'); // without it dependency-cruiser silently cruises 0 .ts files and passes

const LAYERS = [
  ['common'],
  ['kafka/wire'],
  ['kafka/net'],
  ['kafka/net/sasl'],
  ['kafka/client'],
  ['kafka/fetch', 'kafka/produce'],
  ['config'],
  ['schemas'],
  ['plan'],
  ['checkpoint'],
  ['shard'],
  ['copy', 'verify'],
  ['offsets'],
  ['purge'],
  ['reroute'],
  ['workers'],
  ['demo'],
  ['cli'],
];
// Local Kafka brokers for the demo and the tests: above common, imported by demo only (and tests).
const LOCAL = 'local';

/** The modules of a folder, not those of a folder nested in it that is a layer of its own. */
function folderPath(folder) {
  const nested = LAYERS.flat().filter((other) => other.startsWith(`${folder}/`));
  const exclude = nested.map((other) => `${other.slice(folder.length + 1)}/`);
  return exclude.length === 0 ? `^src/${folder}/` : `^src/${folder}/(?!${exclude.join('|')})`;
}

function layerRules() {
  return LAYERS.flatMap((line, rank) =>
    line.flatMap((folder) => {
      if (rank === 0 || rank === LAYERS.length - 1) return []; // common: its own rule below; cli: imports all
      const below = [...LAYERS.slice(0, rank).flat(), ...(folder === 'demo' ? [LOCAL] : [])];
      return {
        name: `layer-${folder.replaceAll('/', '-')}`,
        comment: `src/${folder} may import only ${below.map((f) => `src/${f}`).join(', ')}: move the shared code down a layer`,
        severity: 'error',
        from: { path: folderPath(folder) },
        // Anything else in src/: a layer above, a sibling, or a module in no layer.
        to: { path: '^src/', pathNot: [folderPath(folder), ...below.map(folderPath)] },
      };
    }),
  );
}

const PLACED = [...LAYERS.flat().map(folderPath), `^src/${LOCAL}/`, '^src/index\\.ts$'];

module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'common-imports-nothing',
      comment: 'src/common may import nothing else in src/: it is the bottom layer',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'local-imports-common-only',
      comment: 'src/local (local brokers for the demo and the tests) may import only src/common',
      severity: 'error',
      from: { path: `^src/${LOCAL}/` },
      to: { path: '^src/', pathNot: [`^src/${LOCAL}/`, '^src/common/'] },
    },
    {
      name: 'local-only-from-demo',
      comment: 'src/local starts Kafka brokers: only src/demo (and the tests) may import it',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/${LOCAL}/`, '^src/demo/'] },
      to: { path: `^src/${LOCAL}/` },
    },
    {
      name: 'index-is-the-top',
      comment: 'src/index.ts is the public API (re-exports only): nothing in src/ imports it',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'an import cycle: break it by moving what both sides need into a module of its own, a layer down',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      comment: 'this module is in no layer: put it in a folder of LAYERS in .dependency-cruiser.cjs (or add its folder there)',
      severity: 'error',
      from: { path: '^src/', pathNot: PLACED },
      to: { path: '^src/' },
    },
  ],
  options: {
    parser: 'swc',
    includeOnly: '^src/',
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
