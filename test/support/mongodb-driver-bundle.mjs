// The official MongoDB driver as one ES module, for the tests that run it inside workerd.
//
// Why: the pool's module fallback resolves `require("bson")` in mongodb/lib/bson.js to
// that file itself (it tries `<referrer dir>/bson.js` before node_modules), an endless
// getter loop. `wrangler dev` and deploys bundle with esbuild and are not affected; the
// tests get the same kind of bundle, with Node's built-ins left to workerd's nodejs_compat.
import { builtinModules, createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** A CommonJS require of a built-in becomes an import of `node:<name>` (ESM output has no require). */
const builtinsAsImports = {
  name: 'builtins-as-imports',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[a-z:/_]+$/ }, (args) => {
      if (!builtins.has(args.path) || args.namespace === 'builtin') return undefined;
      if (args.kind === 'require-call') return { path: args.path.replace(/^node:/, ''), namespace: 'builtin' };
      return { path: `node:${args.path.replace(/^node:/, '')}`, external: true };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `import * as m from 'node:${args.path}'; export default (m.default ?? m); export * from 'node:${args.path}';`,
      loader: 'js',
      resolveDir: '/',
    }));
    pluginBuild.onResolve({ filter: /^node:/, namespace: 'builtin' }, (args) => ({ path: args.path, external: true }));
  },
};

export async function bundleMongodbDriver() {
  const outfile = fileURLToPath(new URL('../../node_modules/.cache/mongodb-driver-workerd/mongodb.mjs', import.meta.url));
  mkdirSync(fileURLToPath(new URL('.', `file://${outfile}`)), { recursive: true });
  // A CommonJS entry bundles to a default export only: its names are listed for the ES module.
  const names = Object.keys(createRequire(import.meta.url)('mongodb')).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  await build({
    stdin: { contents: `const driver = require('mongodb');\nexport const { ${names.join(', ')} } = driver;\nexport default driver;`, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    absWorkingDir: fileURLToPath(new URL('../..', import.meta.url)),
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'error',
    plugins: [builtinsAsImports],
    // Optional add-ons the driver requires inside try/catch (Kerberos, compression, encryption, AWS, …).
    external: ['kerberos', 'snappy', '@mongodb-js/zstd', 'mongodb-client-encryption', '@aws-sdk/credential-providers', 'gcp-metadata', 'socks', '@mongodb-js/saslprep'],
  });
  return outfile;
}
