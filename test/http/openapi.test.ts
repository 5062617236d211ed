// The published OpenAPI document is what an associate's developer (and the demo shop) builds
// against: it must be valid OpenAPI 3.1, list every /api/v1 route the server really registers,
// and describe each operation fully (summary, security, success and error schemas, headers).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { API_PREFIX } from '../../src/http/server.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway, type TestGateway } from '../support/gateway.ts';

type Document = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;
type SchemaObject = OpenAPIV3_1.SchemaObject;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

interface Route {
  readonly method: string;
  readonly url: string;
}

/**
 * Every route the server registered, from `printRoutes` (Fastify keeps no public list). Each
 * line of the tree is a segment appended to its parent's path.
 */
function registeredRoutes(server: FastifyInstance): Route[] {
  const tree = server.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    const url = `${stack[depth - 1] ?? ''}${match[2] ?? ''}`;
    stack.length = depth;
    stack.push(url);
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '')) {
      routes.push({ method, url });
    }
  }
  return routes;
}

/** The merchant API's routes, each confirmed with `hasRoute` so a misread tree cannot pass. */
function apiRoutes(server: FastifyInstance): Route[] {
  // HEAD is added by Fastify to every GET; it is not an operation of its own.
  const routes = registeredRoutes(server).filter(
    (r) => r.url.startsWith(`${API_PREFIX}/`) && r.method !== 'HEAD',
  );
  for (const r of routes) {
    assert.ok(
      server.hasRoute({ method: r.method, url: r.url }),
      `read ${r.method} ${r.url} from printRoutes, but the server has no such route`,
    );
  }
  return routes;
}

/** `/api/v1/payments/:id` as OpenAPI writes it: `/api/v1/payments/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

function operations(doc: Document): { method: string; path: string; op: Operation }[] {
  const out: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op !== undefined) out.push({ method, path, op });
    }
  }
  return out;
}

function jsonSchemaOf(
  doc: Document,
  response: OpenAPIV3_1.ResponseObject | OpenAPIV3_1.ReferenceObject | undefined,
): SchemaObject | undefined {
  if (response === undefined || '$ref' in response) return undefined;
  const schema = response.content?.['application/json']?.schema;
  return schema === undefined ? undefined : resolved(doc, schema);
}

function resolved(
  doc: Document,
  schema: SchemaObject | OpenAPIV3_1.ReferenceObject,
): SchemaObject | undefined {
  if (!('$ref' in schema)) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = doc.components?.schemas?.[name];
  return target === undefined || '$ref' in target ? undefined : target;
}

const ERROR_STATUSES = ['400', '401', '403', '404', '429'] as const;

const sqlite = DATABASES.find((d) => d.name === 'sqlite');
assert.ok(sqlite !== undefined);

describe('the OpenAPI document (/openapi.json) and /docs', () => {
  let g: TestGateway;
  let doc: Document;
  let api: Route[];

  before(async () => {
    g = await openTestGateway(sqlite);
    const res = await g.server.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json<Document>();
    api = apiRoutes(g.server);
  });
  after(async () => {
    await g.server.close();
    await g.dispose();
  });

  test('validates as OpenAPI 3.1', async () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const result = await validate(structuredClone(doc));
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.deepEqual(result.warnings, []);
  });

  test('lists every /api/v1 route the server registers, and no other', () => {
    assert.ok(api.length >= 11, `found only ${api.length} API routes; is printRoutes misread?`);
    const registered = api.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`).sort();
    const documented = operations(doc)
      .map((o) => `${o.method} ${o.path}`)
      .filter((o) => o.split(' ')[1]?.startsWith(`${API_PREFIX}/`) === true)
      .sort();
    assert.deepEqual(documented, registered);
    const outside = operations(doc).filter((o) => !o.path.startsWith(`${API_PREFIX}/`));
    assert.deepEqual(
      outside.map((o) => o.path),
      [],
      'only the merchant API is documented (health, pages and the UI are hidden)',
    );
  });

  test('every operation has a summary, tags, security, and success and error schemas', () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations(doc)) {
      const name = `${method.toUpperCase()} ${path}`;
      if (typeof op.summary !== 'string' || op.summary.trim() === '')
        problems.push(`${name}: no summary`);
      if ((op.tags ?? []).length === 0) problems.push(`${name}: no tags`);
      const security = op.security ?? doc.security ?? [];
      if (!security.some((req) => 'apiKey' in req)) problems.push(`${name}: no apiKey security`);
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
      if (success.length !== 1) problems.push(`${name}: ${success.length} success responses`);
      for (const status of success) {
        const schema = jsonSchemaOf(doc, responses[status]);
        // One of several objects (the charging events answer per action) is fine too.
        const variants = (schema?.anyOf ?? schema?.oneOf)?.map((v) => resolved(doc, v)) ?? [schema];
        if (variants.some((v) => v?.type !== 'object' || v.properties === undefined))
          problems.push(`${name}: ${status} has no object schema`);
      }
      const errorStatuses = method === 'post' ? [...ERROR_STATUSES, '409'] : ERROR_STATUSES;
      for (const status of errorStatuses) {
        const schema = jsonSchemaOf(doc, responses[status]);
        const error = schema?.properties?.error as SchemaObject | undefined;
        const required = new Set(error?.required ?? []);
        for (const field of ['type', 'code', 'message', 'request_id']) {
          if (!required.has(field)) problems.push(`${name}: ${status} error lacks ${field}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the documented security is what the server enforces', async () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations(doc)) {
      const name = `${method.toUpperCase()} ${path}`;
      const url = path.replace(/\{\w+\}/g, 'x_1');
      const inject = (headers: Record<string, string>) =>
        g.server.inject({ method: method.toUpperCase() as 'GET' | 'POST', url, headers });
      const anonymous = await inject({});
      if (anonymous.statusCode !== 401)
        problems.push(`${name}: ${anonymous.statusCode} without a key`);
      const documentedSigned = (op.security ?? []).some((req) => 'signature' in req);
      if (method !== 'post') {
        if (documentedSigned) problems.push(`${name}: documented as signed`);
        continue;
      }
      const unsigned = await inject({
        authorization: `Bearer ${g.key.secret}`,
        'idempotency-key': `openapi-${name}`,
      });
      const code = unsigned.json<{ error?: { code?: string } }>().error?.code;
      const enforced = code === 'signature_missing';
      if (enforced !== documentedSigned)
        problems.push(`${name}: signature documented ${documentedSigned}, enforced ${enforced}`);
    }
    assert.deepEqual(problems, []);
  });

  test('every POST documents its required Idempotency-Key header', () => {
    // Charging requests carry their own key (session + request number): docs/api.md.
    const missing = operations(doc)
      .filter((o) => o.method === 'post' && !o.path.startsWith(`${API_PREFIX}/charging/`))
      .filter(
        (o) =>
          !(o.op.parameters ?? []).some(
            (p) =>
              !('$ref' in p) &&
              p.in === 'header' &&
              p.name.toLowerCase() === 'idempotency-key' &&
              p.required === true,
          ),
      )
      .map((o) => `POST ${o.path}`);
    assert.deepEqual(missing, []);
  });

  test('the security schemes: a Bearer secret key and the OnePIN-Signature header', () => {
    const schemes = doc.components?.securitySchemes ?? {};
    assert.deepEqual(schemes.apiKey, {
      type: 'http',
      scheme: 'bearer',
      description: 'Your secret key, sk_test_… or sk_live_…',
    });
    const signature = schemes.signature;
    assert.ok(signature !== undefined && !('$ref' in signature));
    assert.equal(signature.type, 'apiKey');
    assert.ok(signature.type === 'apiKey' && signature.in === 'header');
    assert.equal(signature.name, 'OnePIN-Signature');
  });

  test('/docs answers 200 with the HTML UI, which reads the same document', async () => {
    const page = await g.server.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<html/i);
    assert.match(page.body, /swagger/i);
    const json = await g.server.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(json.statusCode, 200);
    assert.deepEqual(json.json(), doc);
  });
});
