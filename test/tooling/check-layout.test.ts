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
  });
});
