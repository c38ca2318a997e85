import { createTestApp, type TestContext } from './test-app.ts';

/** The OpenAPI document of an app, as committed in docs/openapi.json (stable formatting, final newline). */
export async function openApiDocumentOf(context: TestContext): Promise<string> {
  const document = (await context.app.inject('/api/openapi.json')).json<unknown>();
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Builds the app on embedded parts (the document does not depend on the adapters) and renders it. */
export async function renderOpenApiDocument(): Promise<string> {
  const context = await createTestApp();
  try {
    return await openApiDocumentOf(context);
  } finally {
    await context.close();
  }
}
