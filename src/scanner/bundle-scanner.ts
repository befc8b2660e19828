/**
 * `npm run build`, after tsc: bundles the scanner (cli-main.js and everything it imports) into
 * `scanner-bundle.cjs` (see bundle-loader.ts), with web-tree-sitter's glue patched on the way in
 * (parse/web-tree-sitter-patch.ts). Fails when the installed web-tree-sitter is not the release
 * the patch was written for, or when the bundle did not take the glue in.
 *
 *   node dist/src/scanner/bundle-scanner.js
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { projectRoot } from '../core/project-root.js';
import { BUNDLE_FILE } from './bundle-loader.js';
import { PATCHED_WEB_TREE_SITTER_VERSION, patchWebTreeSitterGlue } from './parse/web-tree-sitter-patch.js';

const root = projectRoot();
const GLUE = path.join(root, 'node_modules', 'web-tree-sitter', 'tree-sitter.cjs');

function installedVersion(): string {
  const manifest = path.join(root, 'node_modules', 'web-tree-sitter', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

let gluePatched = 0;
const patchGlue: Plugin = {
  name: 'patch-web-tree-sitter-glue',
  setup(b) {
    b.onLoad({ filter: /[\\/]web-tree-sitter[\\/]tree-sitter\.cjs$/ }, (args) => {
      gluePatched++;
      return { contents: patchWebTreeSitterGlue(readFileSync(args.path, 'utf8')), loader: 'js' };
    });
  },
};

const version = installedVersion();
if (version !== PATCHED_WEB_TREE_SITTER_VERSION) {
  process.stderr.write(
    `error: web-tree-sitter ${version} is installed; the scanner's glue patch is for ${PATCHED_WEB_TREE_SITTER_VERSION} (src/scanner/parse/web-tree-sitter-patch.ts)\n`,
  );
  process.exit(1);
}
await build({
  absWorkingDir: root,
  entryPoints: [path.join(path.dirname(BUNDLE_FILE), 'cli-main.js')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  alias: { 'web-tree-sitter': GLUE },
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  outfile: BUNDLE_FILE,
  logLevel: 'warning',
  plugins: [patchGlue],
});
if (gluePatched !== 1) {
  process.stderr.write(
    `error: the scanner bundle took web-tree-sitter's glue ${gluePatched} times, expected once\n`,
  );
  process.exit(1);
}
