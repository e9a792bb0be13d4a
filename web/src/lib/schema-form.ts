/**
 * Form fields from JSON Schema: the spec's schema (GET /openapi.json, ExperimentSpec) and each family's
 * hyperparameter schema (GET /models) become one flat list of fields addressed by dotted paths, the same
 * paths the API names in its field errors ("hyperparameters.learningRate", "resources.gpu"). The form keeps
 * what the user typed; parseField turns it into a value or an error, specFromValues nests the values back.
 */

export interface JsonSchema {
  type?: string;
  /** A union told apart by one property's `const` (the spec: one variant per family). */
  oneOf?: JsonSchema[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  enum?: readonly unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** The variant of a union whose `key` property is `value`; a schema that is no union is its own variant. */
export function variantOf(schema: JsonSchema, key: string, value: unknown): JsonSchema {
  if (!schema.oneOf) return schema;
  const variant = schema.oneOf.find((v) => v.properties?.[key]?.const === value);
  if (!variant) throw new Error(`the schema has no variant with ${key} '${String(value)}'`);
  return variant;
}

export type FieldKind = 'integer' | 'number' | 'choice' | 'boolean' | 'text';

export interface FieldSpec {
  /** Dotted path in the spec, e.g. "hyperparameters.learningRate". */
  path: string;
  label: string;
  kind: FieldKind;
  description?: string;
  default?: unknown;
  min?: number;
  max?: number;
  /** The bound itself is not allowed (e.g. a learning rate > 0). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  options?: readonly string[];
}

/** What the form holds for a field: typed text, or a checkbox state. */
export type RawValue = string | boolean;

const ACRONYMS: Record<string, string> = { gpu: 'GPU', id: 'ID' };

/** "learningRate" -> "Learning rate", "gChannels" -> "G channels", "gpu" -> "GPU". */
export function labelOf(name: string): string {
  if (ACRONYMS[name]) return ACRONYMS[name];
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2');
  const lower = words
    .split(' ')
    .map((w, i) => (i > 0 && w.length > 1 && w !== w.toUpperCase() ? w.toLowerCase() : w));
  const text = lower.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function kindOf(schema: JsonSchema): FieldKind | 'object' {
  if (schema.enum) return 'choice';
  switch (schema.type) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return 'text';
  }
}

/**
 * One field per leaf of the schema's properties, objects flattened into dotted paths. `skip` names paths
 * the caller renders itself (family, dataset) or fills from another schema (hyperparameters).
 */
export function fieldsFromSchema(schema: JsonSchema, prefix = '', skip: readonly string[] = []): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (skip.includes(path)) continue;
    const kind = kindOf(prop);
    if (kind === 'object') {
      fields.push(...fieldsFromSchema(prop, path, skip));
      continue;
    }
    const field: FieldSpec = { path, label: labelOf(name), kind };
    if (prop.description) field.description = prop.description;
    if (prop.default !== undefined) field.default = prop.default;
    if (prop.exclusiveMinimum !== undefined) {
      field.min = prop.exclusiveMinimum;
      field.minExclusive = true;
    } else if (prop.minimum !== undefined) field.min = prop.minimum;
    if (prop.exclusiveMaximum !== undefined) {
      field.max = prop.exclusiveMaximum;
      field.maxExclusive = true;
    } else if (prop.maximum !== undefined) field.max = prop.maximum;
    if (prop.enum) field.options = prop.enum.map(String);
    fields.push(field);
  }
  return fields;
}

/** The form's starting text for a field: its default, or empty. */
export function rawOf(field: FieldSpec, value: unknown = field.default): RawValue {
  if (field.kind === 'boolean') return value === true;
  return value === undefined || value === null ? '' : String(value);
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function rangeText(field: FieldSpec): string {
  const lo = field.min === undefined ? '' : `${field.minExclusive ? 'above' : 'at least'} ${field.min}`;
  const hi = field.max === undefined ? '' : `${field.maxExclusive ? 'below' : 'at most'} ${field.max}`;
  return [lo, hi].filter(Boolean).join(' and ');
}

/** The value the spec gets from what was typed, or an error that says what is allowed. */
export function parseField(field: FieldSpec, raw: RawValue): Parsed {
  if (field.kind === 'boolean') return { ok: true, value: raw === true };
  const text = String(raw).trim();
  if (field.kind === 'choice') {
    if (field.options?.includes(text)) return { ok: true, value: text };
    return { ok: false, error: `choose one of ${field.options?.join(', ')}` };
  }
  if (field.kind === 'text') {
    return text ? { ok: true, value: text } : { ok: false, error: 'required' };
  }
  if (text === '') return { ok: false, error: 'required' };
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, error: 'must be a number' };
  if (field.kind === 'integer' && !Number.isInteger(value))
    return { ok: false, error: 'must be a whole number' };
  const below = field.min !== undefined && (field.minExclusive ? value <= field.min : value < field.min);
  const above = field.max !== undefined && (field.maxExclusive ? value >= field.max : value > field.max);
  if (below || above) return { ok: false, error: `must be ${rangeText(field)}` };
  return { ok: true, value };
}

/** Nests dotted paths: { "resources.gpu": "g5.xlarge" } -> { resources: { gpu: "g5.xlarge" } }. */
export function nest(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const parts = path.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return out;
}

/** The value at a dotted path of a nested object (a run's spec, when cloning it). */
export function valueAt(obj: unknown, path: string): unknown {
  let node = obj;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export interface FormResult {
  /** The nested spec fragment the fields make. */
  value: Record<string, unknown>;
  /** Field path -> what is wrong with it; empty when every field parsed. */
  errors: Record<string, string>;
}

/** Parses every field; a field the user has not touched gets its raw default. */
export function readForm(fields: readonly FieldSpec[], raw: Readonly<Record<string, RawValue>>): FormResult {
  const flat: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseField(field, raw[field.path] ?? rawOf(field));
    if (parsed.ok) flat[field.path] = parsed.value;
    else errors[field.path] = parsed.error;
  }
  return { value: nest(flat), errors };
}

/** The raw form values that reproduce a spec (cloning a run); fields the spec lacks keep their defaults. */
export function rawFromSpec(fields: readonly FieldSpec[], spec: unknown): Record<string, RawValue> {
  return Object.fromEntries(fields.map((f) => [f.path, rawOf(f, valueAt(spec, f.path) ?? f.default)]));
}

/**
 * The API's field errors (RFC 9457 `errors`) by field path. An error on an object ("hyperparameters") or on
 * a field the form does not show lands under "" so the form can show it above the fields.
 */
export function issuesByField(
  issues: readonly { field: string; message: string }[],
  fields: readonly FieldSpec[],
  ownPaths: readonly string[] = [],
): Record<string, string> {
  const known = new Set([...fields.map((f) => f.path), ...ownPaths]);
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = known.has(issue.field) ? issue.field : '';
    const text = key ? issue.message : issue.field ? `${issue.field}: ${issue.message}` : issue.message;
    out[key] = out[key] ? `${out[key]}; ${text}` : text;
  }
  return out;
}
