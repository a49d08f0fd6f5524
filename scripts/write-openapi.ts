// Writes dashboard/public/openapi.json before the dashboard build (npm run build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { openApiDocument } from './openapi-document';

const target = new URL('../dashboard/public/openapi.json', import.meta.url);
mkdirSync(new URL('.', target), { recursive: true });
writeFileSync(target, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
