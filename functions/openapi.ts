/**
 * The OpenAPI 3.1 document, built from the wire contract (shared/api/routes.ts: every route with its
 * request and answer schemas) with zod's own JSON Schema output, the same converter GET /models uses for
 * the hyperparameters. The routes validate with the same schema objects, so the two cannot drift apart.
 */
import { z } from 'zod';
import { PROBLEM_KINDS, type ProblemKind, ProblemSchema } from '../shared/api/problems.ts';
import { type RouteDef, routes } from '../shared/api/routes.ts';
import {
  DatasetsSchema,
  EvaluationSchema,
  GeneratorSchema,
  GroupEvaluationResultSchema,
  GroupPageSchema,
  GroupSchema,
  HealthSchema,
  MetricsSchema,
  ModelsSchema,
  RunPageSchema,
  SamplesSchema,
} from '../shared/api/schemas.ts';
import { FAMILIES } from '../shared/catalog.ts';
import { GroupRequestBodySchema } from '../shared/group.ts';
import { LabelsPatchSchema } from '../shared/labels.ts';
import { ResumedRunSchema, RunSchema } from '../shared/run-record.ts';
import { ExperimentSpecSchema, GPU_TYPES } from '../shared/spec.ts';

type JsonSchema = Record<string, unknown>;

/** Answer bodies become named components, so each route refers to them instead of repeating them. */
export const RESPONSE_SCHEMAS = {
  Run: RunSchema,
  ResumedRun: ResumedRunSchema,
  RunPage: RunPageSchema,
  Metrics: MetricsSchema,
  Samples: SamplesSchema,
  Generator: GeneratorSchema,
  Evaluation: EvaluationSchema,
  Group: GroupSchema,
  GroupPage: GroupPageSchema,
  GroupEvaluation: GroupEvaluationResultSchema,
  Models: ModelsSchema,
  Datasets: DatasetsSchema,
  Health: HealthSchema,
  Problem: ProblemSchema,
} satisfies Record<string, z.ZodType>;

const outputs = z.registry<{ id: string }>();
for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) outputs.add(schema, { id });
// The spec a run carries: every field filled in; one variant per family, like the body of a submit.
outputs.add(RunSchema.shape.spec, { id: 'RunSpec' });

const inputs = z.registry<{ id: string }>();
inputs.add(ExperimentSpecSchema, { id: 'ExperimentSpec' });
inputs.add(GroupRequestBodySchema, { id: 'GroupRequest' });
inputs.add(LabelsPatchSchema, { id: 'LabelsPatch' });
for (const f of FAMILIES) inputs.add(f.hyperparameters, { id: `Hyperparameters.${f.id}` });

const schemaName = new Map<z.ZodType, string>([
  ...Object.entries(RESPONSE_SCHEMAS).map(([id, s]) => [s as z.ZodType, id] as const),
  [ExperimentSpecSchema, 'ExperimentSpec'],
  [GroupRequestBodySchema, 'GroupRequest'],
  [LabelsPatchSchema, 'LabelsPatch'],
]);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function strip({ $schema: _s, $id: _i, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return strip(z.toJSONSchema(schema, { io }) as JsonSchema);
}

/** A family's hyperparameters as a JSON Schema of what a spec may send (every field optional, defaulted). */
export function hyperparameterSchema(family: (typeof FAMILIES)[number]): JsonSchema {
  return jsonSchema(family.hyperparameters, 'input');
}

function componentSchemas(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output') {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, strip(s)]));
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): JsonSchema[] {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, { description, ...s }]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    ...(description ? { description } : {}),
    schema: s,
  }));
}

function problems(kinds: readonly ProblemKind[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ProblemKind[]>();
  for (const k of kinds)
    byStatus.set(PROBLEM_KINDS[k].status, [...(byStatus.get(PROBLEM_KINDS[k].status) ?? []), k]);
  return Object.fromEntries(
    [...byStatus].map(([status, ks]) => [
      String(status),
      {
        description: ks.map((k) => PROBLEM_KINDS[k].title).join('; or: '),
        // A 429 says when to try again (functions/routes/experiments.ts).
        ...(status === 429
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before trying again.',
                  schema: { type: 'integer' },
                },
              },
            }
          : {}),
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );
}

/** Every family's rules between hyperparameters, as a 400 of POST /experiments states them. */
function rulesInWords(): string {
  const stated = FAMILIES.flatMap((f) =>
    ((f as { rules?: readonly { rule: string }[] }).rules ?? []).map((r) => `${f.id}: ${r.rule}`),
  );
  return stated.length ? ` Rules between hyperparameters: ${stated.join('; ')}.` : '';
}

function operation(route: RouteDef): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    const name = answer.schema && schemaName.get(answer.schema);
    responses[status] = {
      description: answer.description,
      ...(answer.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(answer.headers).map(([h, d]) => [
                h,
                { description: d, schema: { type: 'string' } },
              ]),
            ),
          }
        : {}),
      ...(answer.schema
        ? {
            content: {
              'application/json': { schema: name ? ref(name) : jsonSchema(answer.schema, 'output') },
            },
          }
        : answer.content
          ? { content: { [answer.content]: {} } }
          : {}),
    };
  }
  Object.assign(
    responses,
    problems([...route.problems, ...(route.public ? [] : (['unauthorized'] as const))]),
  );
  if (route.body && responses['400']) {
    responses['400'] = {
      ...responses['400'],
      description: `${responses['400'].description}: a field fails its schema, the family does not train on the dataset, or a rule between hyperparameters is broken.${rulesInWords()}`,
    };
  }
  // Answered by the HTTP server before the app sees the request, with no body.
  responses['431'] = { description: 'Request header fields too large.' };
  const name = route.body && schemaName.get(route.body.schema);
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.public ? { security: [] } : {}),
    ...(route.params || route.query || route.headers
      ? {
          parameters: [
            ...parameters(route.params, 'path'),
            ...parameters(route.query, 'query'),
            ...parameters(route.headers, 'header'),
          ],
        }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            description: route.body.description,
            content: {
              'application/json': { schema: name ? ref(name) : jsonSchema(route.body.schema, 'input') },
            },
          },
        }
      : {}),
    responses,
  };
}

/** The spec's variants are told apart by `family`, which OpenAPI states as a discriminator. */
function withDiscriminators(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  for (const name of ['ExperimentSpec', 'RunSpec']) {
    const s = schemas[name];
    if (s?.oneOf) schemas[name] = { ...s, discriminator: { propertyName: 'family' } };
  }
  return schemas;
}

/** The OpenAPI 3.1 document of the app; built once per call, so callers cache it. */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of Object.values(routes) as RouteDef[]) {
    paths[route.path] = { ...paths[route.path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ganzoo API',
      version: '0.1.0',
      description:
        'Submit GAN training runs, follow their progress, and fetch their metrics, sample grids and exported generators. ' +
        'Every route except /health, /openapi.json and /docs needs an Authorization: Bearer <token> header; ' +
        'a caller sees only their own runs. Errors are RFC 9457 problem details. A method a path does not have answers 405 with Allow. GPU types: ' +
        `${GPU_TYPES.join(', ')}.`,
    },
    tags: [
      { name: 'experiments', description: 'Training runs.' },
      {
        name: 'groups',
        description: 'Experiment groups: one spec over several seeds or a sweep, each member a run.',
      },
      { name: 'catalog', description: 'GAN families and datasets a spec may name.' },
      { name: 'meta', description: 'Health and documentation; no token needed.' },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito access token in the cloud; the static token printed by npm start locally.',
        },
      },
      schemas: withDiscriminators({
        ...componentSchemas(outputs, 'output'),
        ...componentSchemas(inputs, 'input'),
      }),
    },
  };
}
