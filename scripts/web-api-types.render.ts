/**
 * TypeScript types for the web apps, rendered from the OpenAPI document (docs/openapi.json), so the
 * viewer app and the admin console never hand-copy an API shape (STYLE.md, "Web apps").
 * openapi-typescript would do this but wants TypeScript 5; the document only uses a small part of
 * JSON Schema (what zod's toJSONSchema emits), which this renders. Pure: document in, source out.
 */

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  nullable?: boolean;
  description?: string;
};

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string) => (identifier.test(name) ? name : JSON.stringify(name));
const indent = (text: string) => text.replace(/\n/g, '\n  ');

/** One JSON Schema as a TypeScript type expression. */
export function typeOf(schema: JsonSchema | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return 'unknown';
  const base = baseTypeOf(schema);
  return schema.nullable ? `${base} | null` : base;
}

function baseTypeOf(schema: JsonSchema): string {
  if (schema.$ref) return `Schemas[${JSON.stringify(schema.$ref.split('/').pop())}]`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((member) => wrap(typeOf(member))).join(' | ');
  if (schema.allOf) return schema.allOf.map((member) => wrap(typeOf(member))).join(' & ');
  if (Array.isArray(schema.type)) {
    return schema.type.map((type) => wrap(typeOf({ ...schema, type }))).join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${typeOf(schema.items)}>`;
    case 'object':
    case undefined:
      return objectTypeOf(schema);
    default:
      return 'unknown';
  }
}

function wrap(type: string): string {
  return /[|&]/.test(type) && !/^[{A]/.test(type) ? `(${type})` : type;
}

function objectTypeOf(schema: JsonSchema): string {
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties ?? {}).map(
    ([name, property]) => `${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(property)};`,
  );
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    members.push(`[key: string]: ${typeOf(schema.additionalProperties)};`);
  }
  if (members.length === 0) return schema.properties ? '{}' : 'Record<string, unknown>';
  return `{\n  ${members.map(indent).join('\n  ')}\n}`;
}

function paramsOf(operation: Operation, where: 'path' | 'query'): string {
  const params = (operation.parameters ?? []).filter((param) => param.in === where);
  if (params.length === 0) return 'never';
  return objectTypeOf({
    type: 'object',
    properties: Object.fromEntries(params.map((param) => [param.name, param.schema ?? {}])),
    required: params.filter((param) => param.required).map((param) => param.name),
  });
}

function responseOf(operation: Operation): string {
  for (const status of ['200', '201', '202']) {
    const response = operation.responses?.[status];
    if (response) return typeOf(response.content?.['application/json']?.schema);
  }
  return 'void';
}

function bodyOf(operation: Operation): string {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  return schema ? typeOf(schema) : 'never';
}

export function renderApiTypes(document: OpenApiDocument): string {
  const schemas = Object.entries(document.components?.schemas ?? {}).map(
    ([name, schema]) => `  ${key(name)}: ${indent(typeOf(schema))};`,
  );
  const table: string[] = [];
  const types: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!operation.operationId) continue;
      const id = operation.operationId;
      table.push(`  ${id}: [${JSON.stringify(method.toUpperCase())}, ${JSON.stringify(path)}],`);
      const lines = [
        `/** ${method.toUpperCase()} ${path}${operation.summary ? ` — ${operation.summary.replace(/\*\//g, '* /')}` : ''} */`,
        `${id}: {`,
        `  path: ${indent(paramsOf(operation, 'path'))};`,
        `  query: ${indent(paramsOf(operation, 'query'))};`,
        `  body: ${indent(bodyOf(operation))};`,
        `  response: ${indent(responseOf(operation))};`,
        `};`,
      ];
      types.push(lines.map((line) => `  ${indent(line)}`).join('\n'));
    }
  }
  return [
    '// Generated from docs/openapi.json by `npm run web:api-types` — do not edit.',
    '',
    'export interface Schemas {',
    ...schemas,
    '}',
    '',
    'export interface Operations {',
    ...types,
    '}',
    '',
    '/** Method and path of every operation, for the client. */',
    'export const operations = {',
    ...table,
    '} as const satisfies Record<keyof Operations, readonly [string, string]>;',
    '',
  ].join('\n');
}
