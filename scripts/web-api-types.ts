// Writes web/ui/api/openapi.generated.ts from docs/openapi.json (test/web/web-api-types.test.ts
// checks it is current). Run after `npm run docs:openapi`.
import { readFile, writeFile } from 'node:fs/promises';
import { renderApiTypes, type OpenApiDocument } from './web-api-types.render.ts';

const source = new URL('../docs/openapi.json', import.meta.url);
const target = new URL('../web/ui/api/openapi.generated.ts', import.meta.url);
const document = JSON.parse(await readFile(source, 'utf8')) as OpenApiDocument;
await writeFile(target, renderApiTypes(document));
console.log(`wrote ${target.pathname}`);
