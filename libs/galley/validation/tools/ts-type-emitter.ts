// Writes TypeScript interfaces for the spec of every kind, one interface per
// named structure (see schema-structures.ts), with the first sentence of each
// field's CRD description as its doc comment.
import { canonical, isObject, isStructure, type RawSchema, type StructureIndex } from './schema-structures';

export interface KindSpec {
  kind: string;
  spec: RawSchema;
}

export function emitTypes(specs: readonly KindSpec[], index: StructureIndex): string {
  const emitted = new Set<string>();
  const blocks: string[] = [];

  const nameOf = (schema: RawSchema): string => {
    const structure = index.byCanonical.get(canonical(schema));
    if (!structure) throw new Error('structure missing from index');
    return structure.name;
  };

  const typeOf = (schema: RawSchema): string => {
    let t: string;
    if (isStructure(schema)) t = nameOf(schema);
    else if (schema['x-kubernetes-int-or-string'] === true) t = 'number | string';
    else {
      switch (schema['type']) {
        case 'array':
          t = `${wrap(typeOf(asSchema(schema['items'])))}[]`;
          break;
        case 'object':
          t = isObject(schema['additionalProperties'])
            ? `Record<string, ${typeOf(schema['additionalProperties'])}>`
            : 'Record<string, unknown>';
          break;
        case 'string':
          t = Array.isArray(schema['enum']) ? schema['enum'].map((v) => `'${String(v)}'`).join(' | ') : 'string';
          break;
        case 'integer':
        case 'number':
          t = 'number';
          break;
        case 'boolean':
          t = 'boolean';
          break;
        default:
          t = 'unknown';
      }
    }
    return schema['nullable'] === true ? `${t} | null` : t;
  };

  const emit = (schema: RawSchema): void => {
    const name = nameOf(schema);
    if (emitted.has(name)) return;
    emitted.add(name);
    const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
    const lines: string[] = [];
    // A shared structure's description belongs to one of the fields using it, not to the type.
    const shared = (index.byCanonical.get(canonical(schema))?.paths.length ?? 0) > 1;
    const doc = shared ? '' : docComment(schema['description'], '');
    if (doc) lines.push(doc);
    lines.push(`export interface ${name} {`);
    const props = schema['properties'] as Record<string, RawSchema>;
    for (const [field, sub] of Object.entries(props)) {
      const fieldDoc = docComment(sub['description'], '  ');
      if (fieldDoc) lines.push(fieldDoc);
      const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(field) ? field : `'${field}'`;
      lines.push(`  ${key}${required.has(field) ? '' : '?'}: ${typeOf(sub)};`);
    }
    lines.push('}');
    blocks.push(lines.join('\n'));
    // Nested structures after their parent, in field order.
    for (const sub of Object.values(props)) visitNested(sub, emit);
  };

  for (const { spec } of specs) emit(spec);

  const specMap = specs.map(({ kind, spec }) => `  ${kind}: ${nameOf(spec)};`).join('\n');
  blocks.push(`/** The spec type of each kind. */\nexport interface IstioSpecs {\n${specMap}\n}`);
  return blocks.join('\n\n') + '\n';
}

function visitNested(schema: RawSchema, emit: (s: RawSchema) => void): void {
  if (isStructure(schema)) {
    emit(schema);
    return;
  }
  if (isObject(schema['items'])) visitNested(schema['items'], emit);
  if (isObject(schema['additionalProperties'])) visitNested(schema['additionalProperties'], emit);
}

function asSchema(value: unknown): RawSchema {
  return isObject(value) ? value : {};
}

function wrap(t: string): string {
  return t.includes('|') || t.includes(' ') ? `(${t})` : t;
}

function docComment(description: unknown, indent: string): string {
  if (typeof description !== 'string' || description.trim() === '') return '';
  const paragraph = description.trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ');
  const sentence = firstSentence(paragraph);
  const text = sentence.replace(/\*\//g, '*\\/');
  const deprecated = /^deprecated\b/i.test(paragraph) ? ` @deprecated` : '';
  return `${indent}/** ${text}${deprecated} */`;
}

/** Text up to the first full stop that ends a sentence (not the one in "e.g." or "i.e."). */
function firstSentence(paragraph: string): string {
  const stop = /\.(\s|$)/g;
  for (let m = stop.exec(paragraph); m; m = stop.exec(paragraph)) {
    const before = paragraph.slice(Math.max(0, m.index - 3), m.index + 1).toLowerCase();
    if (before !== 'e.g.' && before !== 'i.e.') return paragraph.slice(0, m.index + 1);
  }
  return paragraph;
}
