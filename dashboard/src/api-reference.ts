// The API reference page: renders the OpenAPI document that `npm run build` writes next to
// the dashboard (scripts/write-openapi.ts), so the page is as current as the build and loads
// nothing from elsewhere. A small renderer instead of a bundled viewer (Swagger UI, Redoc,
// Scalar are each several hundred KB): the document is flat and the page only lists it.
import 'bootstrap/dist/css/bootstrap.min.css';
import './styles.css';
import { alertBox, h, replaceChildren } from './dom';

interface Parameter { name: string; in: string; required?: boolean; description?: string; schema?: Schema }
interface Schema { type?: string | string[]; enum?: unknown[]; default?: unknown; maximum?: number; minimum?: number; maxLength?: number; format?: string }
interface Operation {
  summary?: string; description?: string; tags?: string[]; security?: Record<string, string[]>[];
  parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, Schema>; required?: string[] } }> };
  responses?: Record<string, { description?: string }>;
}
interface Document {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; in?: string; name?: string; scheme?: string; description?: string }> };
}

const METHOD_COLOURS: Record<string, string> = { get: 'primary', post: 'success', patch: 'warning', put: 'warning', delete: 'danger', head: 'secondary' };
const TAG_ORDER = ['resolve', 'stream', 'compat', 'admin', 'meta'];

function schemaText(schema: Schema | undefined): string {
  if (!schema) return '';
  const parts = [Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type ?? ''];
  if (schema.enum) parts.push(`one of ${schema.enum.map(String).join(', ')}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? ''}–${schema.maximum ?? ''}`);
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength} chars`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.filter(Boolean).join(', ');
}

function fieldsTable(rows: { name: string; where: string; required: boolean; text: string }[]): HTMLElement | null {
  if (rows.length === 0) return null;
  return h('table', { class: 'table table-sm mb-2' },
    h('thead', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'in'), h('th', {}, 'type'))),
    h('tbody', {}, ...rows.map((row) => h('tr', {},
      h('td', {}, h('code', {}, row.name), row.required ? h('span', { class: 'text-danger ms-1' }, '*') : null),
      h('td', {}, row.where), h('td', { class: 'text-secondary' }, row.text)))));
}

function operationCard(method: string, path: string, operation: Operation): HTMLElement {
  const parameters = (operation.parameters ?? []).map((p) => ({ name: p.name, where: p.in, required: Boolean(p.required), text: [schemaText(p.schema), p.description].filter(Boolean).join(' · ') }));
  for (const [media, body] of Object.entries(operation.requestBody?.content ?? {})) {
    for (const [name, schema] of Object.entries(body.schema?.properties ?? {})) {
      parameters.push({ name, where: `body (${media})`, required: body.schema?.required?.includes(name) ?? false, text: schemaText(schema) });
    }
  }
  const security = (operation.security ?? []).flatMap((entry) => Object.keys(entry));
  return h('section', { class: 'card mb-3', id: `${method}-${path}`, 'data-operation': `${method} ${path}` },
    h('div', { class: 'card-header d-flex gap-2 align-items-center flex-wrap' },
      h('span', { class: `badge text-bg-${METHOD_COLOURS[method] ?? 'secondary'} text-uppercase` }, method),
      h('code', { class: 'fs-6' }, path),
      h('span', { class: 'text-secondary' }, operation.summary ?? '')),
    h('div', { class: 'card-body' },
      operation.description ? h('p', {}, operation.description) : null,
      h('p', { class: 'small mb-2' }, h('strong', {}, 'Credentials: '), security.length ? security.join(' or ') : 'none'),
      fieldsTable(parameters),
      h('ul', { class: 'list-unstyled small mb-0' },
        ...Object.entries(operation.responses ?? {}).map(([status, response]) =>
          h('li', {}, h('span', { class: `badge me-2 text-bg-${status.startsWith('2') ? 'success' : 'secondary'}` }, status), response.description ?? '')))));
}

function render(document: Document): HTMLElement[] {
  const byTag = new Map<string, HTMLElement[]>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationCard(method, path, operation)]);
    }
  }
  const tags = [...byTag.keys()].sort((a, b) => (TAG_ORDER.indexOf(a) + 1 || 99) - (TAG_ORDER.indexOf(b) + 1 || 99));
  const schemes = Object.entries(document.components?.securitySchemes ?? {});
  return [
    h('h1', { class: 'h3' }, `${document.info.title} `, h('small', { class: 'text-secondary' }, document.info.version)),
    h('p', {}, document.info.description ?? ''),
    h('p', {}, h('a', { href: './openapi.json' }, 'openapi.json'), ' · ', h('a', { href: './' }, 'dashboard')),
    h('h2', { class: 'h5 mt-4' }, 'Credentials'),
    h('ul', {}, ...schemes.map(([name, scheme]) => h('li', {}, h('code', {}, name), `: ${scheme.description ?? scheme.type}`))),
    ...tags.flatMap((tag) => [h('h2', { class: 'h5 mt-4 text-capitalize', id: `tag-${tag}` }, tag), ...byTag.get(tag)!]),
  ];
}

const root = window.document.getElementById('reference')!;
try {
  const response = await fetch('./openapi.json');
  if (!response.ok) throw new Error(`openapi.json answered HTTP ${response.status}`);
  replaceChildren(root, ...render((await response.json()) as Document));
} catch (error) {
  replaceChildren(root, alertBox('danger', error instanceof Error ? error.message : String(error), 'No API description'));
}
