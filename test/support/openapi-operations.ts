import assert from 'node:assert/strict';

/** The OpenAPI document's operations, as the endpoint sweep and the fuzz walk read them. */
export interface Operation {
  method: string;
  path: string;
  operationId: string | undefined;
  summary: string | undefined;
  access: string | undefined;
  security: unknown[] | undefined;
  parameters: Array<{ in: string; name: string; schema: JsonSchema }>;
  body: JsonSchema | undefined;
}

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  $ref?: string;
}

export interface Document {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas?: Record<string, JsonSchema> };
}

export interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

export function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const body = (operation.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
        ?.content?.['application/json']?.schema;
      return {
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId as string | undefined,
        summary: operation.summary as string | undefined,
        access: operation['x-access'] as string | undefined,
        security: operation.security as unknown[] | undefined,
        parameters: (operation.parameters as Operation['parameters'] | undefined) ?? [],
        body,
      };
    }),
  );
}

export const fill = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);
export const isReadOnly = (method: string) => method === 'GET' || method === 'DELETE';

export function assertProblem(response: Response, label: string) {
  assert.ok(response.statusCode < 500, `${label} → ${response.statusCode} ${response.body.slice(0, 300)}`);
  if (response.statusCode >= 400) {
    assert.match(String(response.headers['content-type']), /application\/problem\+json/, label);
    assert.ok((JSON.parse(response.body) as { code?: string }).code, label);
    assert.doesNotMatch(response.body, /\n\s+at /, `${label}: a stack trace`);
  }
}
