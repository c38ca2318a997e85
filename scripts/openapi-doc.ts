// Writes docs/openapi.json: the API's OpenAPI 3.1 document as the code generates it, so an API
// change shows in review. `test/contract/openapi.test.ts` fails when the committed file is stale.
import { writeFile } from 'node:fs/promises';
import { renderOpenApiDocument } from '../test/support/openapi-document.ts';

const target = new URL('../docs/openapi.json', import.meta.url);
await writeFile(target, await renderOpenApiDocument());
console.log(`wrote ${target.pathname}`);
