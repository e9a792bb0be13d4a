/** Builds the app for tests exactly as `cdk synth` does, with cdk.json's feature flags. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { REPO_ROOT } from '../lib/function-bundles.ts';
import { createStacks, type GanzooPaths, type GanzooStacks } from '../lib/ganzoo.ts';

const CDK_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface TestApp {
  app: App;
  stacks: GanzooStacks;
}

export async function buildApp(
  options: { context?: Record<string, unknown> } & GanzooPaths = {},
): Promise<TestApp> {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'ganzoo-cdk-')),
    context: { ...CDK_JSON.context, ...options.context },
  });
  const { context: _, ...paths } = options;
  const stacks = await createStacks(app, paths);
  return { app, stacks };
}

/** A CloudFormation value as text: references named (another stack's as {import:Stack:Output}), Joins joined. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(',');
  if (value && typeof value === 'object') {
    const [key, arg] = Object.entries(value)[0] ?? [];
    if (key === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    if (key === 'Ref') return `{${String(arg)}}`;
    if (key === 'Fn::GetAtt') return `{${(arg as string[]).join('.')}}`;
    if (key === 'Fn::ImportValue') return `{import:${render(arg)}}`;
    if (key === 'Fn::GetStackOutput') {
      const { StackName, OutputName } = arg as { StackName: unknown; OutputName: unknown };
      return `{import:${render(StackName)}:${render(OutputName)}}`;
    }
    return JSON.stringify(value);
  }
  return String(value);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
}

export type CfnTemplate = { Resources: Record<string, CfnResource> };

/** Every statement of the policies attached to a role, by the role's logical id. */
export function statementsOf(template: CfnTemplate, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const props = resource.Properties as { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } };
    if (!(props.Roles ?? []).some((r) => render(r) === `{${roleLogicalId}}`)) continue;
    out.push(...props.PolicyDocument.Statement);
  }
  return out;
}

export const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

export const resourcesOf = (s: Statement) =>
  (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(render);
