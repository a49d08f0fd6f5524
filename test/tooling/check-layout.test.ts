import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support';

/** Runs scripts/check-layout.mjs over a made-up workers/ tree. */
function checkLayout(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'layout-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return spawnSync(process.execPath, [join(ROOT, 'scripts/check-layout.mjs')], { cwd: dir, encoding: 'utf8' });
}

const core = { 'workers/core/src/errors.ts': 'export class AppError extends Error {}\n' };

describe('scripts/check-layout.mjs', () => {
  it('passes the repository as it is', () => {
    const result = spawnSync(process.execPath, ['scripts/check-layout.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
  });

  it('passes Workers that import only workers/core and their own folder', () => {
    const result = checkLayout({
      ...core,
      'workers/api/src/app.ts': "import { AppError } from '../../core/src/errors';\nimport { x } from './x';\n",
      'workers/api/src/x.ts': 'export const x = 1;\n',
      'workers/consumer/src/index.ts': "export { AppError } from '../../core/src/errors';\n",
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['a static import', 'workers/api/src/app.ts', "import { serveFile } from '../../consumer/src/file-server';\n", '../../consumer/src/file-server'],
    ['a re-export', 'workers/consumer/src/index.ts', "export { createApp } from '../../api/src/app';\n", '../../api/src/app'],
    ['a dynamic import', 'workers/consumer/src/late.ts', "const app = await import('../../api/src/app');\n", '../../api/src/app'],
    ['core importing a Worker', 'workers/core/src/store/index.ts', "import type { Env } from '../../../api/src/env';\n", '../../../api/src/env'],
  ])('fails on %s across Workers, naming the file and the import', (_kind, file, text, specifier) => {
    const result = checkLayout({ ...core, [file]: text });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file} imports ${specifier}`);
  });

  describe('the API Worker’s startup', () => {
    const engine = {
      'workers/core/src/youtube/engine.ts': "export { Innertube } from 'youtubei.js/cf-worker';\n",
      'workers/core/src/youtube/service.ts': "import type { Innertube } from 'youtubei.js/cf-worker';\nexport const load = () => import('./engine');\n",
    };

    it('passes youtubei.js behind a dynamic import, and type-only imports of it', () => {
      const result = checkLayout({ ...core, ...engine, 'workers/api/src/index.ts': "import { load } from '../../core/src/youtube/service';\nexport default { fetch: load };\n" });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('fails on a bare side-effect import of youtubei.js at startup', () => {
      const result = checkLayout({ ...core, 'workers/api/src/index.ts': "import 'youtubei.js/cf-worker';\nexport default {};\n" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("youtubei.js/cf-worker is imported at the API Worker's startup: workers/api/src/index.ts");
    });

    it('fails on a static path from the entry to youtubei.js or QuickJS, naming the chain', () => {
      const result = checkLayout({
        ...core,
        ...engine,
        'workers/core/src/stream/health.ts': "import { forget } from '../youtube/cipher';\nexport const watch = forget;\n",
        'workers/core/src/youtube/cipher.ts': "import { newQuickJSWASMModule } from 'quickjs-emscripten-core';\nexport const forget = () => newQuickJSWASMModule;\n",
        'workers/api/src/index.ts': "import { watch } from '../../core/src/stream/health';\nexport default { fetch: watch };\n",
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        "quickjs-emscripten-core is imported at the API Worker's startup: workers/api/src/index.ts → workers/core/src/stream/health.ts → workers/core/src/youtube/cipher.ts",
      );
    });

    const driver = {
      'workers/core/src/store/mongodb-connection.ts':
        "import type { MongoClient } from 'mongodb';\nexport const open = async (): Promise<MongoClient> => new (await import('mongodb')).MongoClient('mongodb://x');\n",
    };

    it('passes the MongoDB driver behind a dynamic import, and type-only imports of it', () => {
      const result = checkLayout({ ...core, ...driver, 'workers/api/src/index.ts': "import { open } from '../../core/src/store/mongodb-connection';\nexport default { fetch: open };\n" });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it.each([
      ['the MongoDB driver', "import { MongoClient } from 'mongodb';\n", 'mongodb', 'load it through core/src/store/mongodb-connection.ts'],
      ['bson', "import { ObjectId } from 'bson';\n", 'bson', 'load it through core/src/store/mongodb-connection.ts'],
      ['a Node built-in', "import { gzipSync } from 'node:zlib';\n", 'node:zlib', 'import() it where it is used'],
      ['a Node built-in without its node: prefix', "import { setTimeout } from 'timers/promises';\n", 'timers/promises', 'import() it where it is used'],
    ])('fails on a static path from the entry to %s, naming the chain and the way to load it', (_kind, text, specifier, instead) => {
      const result = checkLayout({
        ...core,
        'workers/core/src/store/ids.ts': `${text}export const id = 1;\n`,
        'workers/api/src/index.ts': "import { id } from '../../core/src/store/ids';\nexport default { id };\n",
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`${specifier} is imported at the API Worker's startup: workers/api/src/index.ts → workers/core/src/store/ids.ts (${instead})`);
    });
  });
});
