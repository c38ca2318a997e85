// Writes docs/ERRORS.md from every defineError() in src/ (the errors test checks it is current).
import { writeFile } from 'node:fs/promises';
import { renderErrorsDoc } from '../src/shared/errors-doc.ts';

const target = new URL('../docs/ERRORS.md', import.meta.url);
await writeFile(target, await renderErrorsDoc());
console.log(`wrote ${target.pathname}`);
