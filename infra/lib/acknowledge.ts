/**
 * cdk-nag findings accepted on purpose. cdk-nag 3 reads CDK's own acknowledgments, which cover a construct
 * and everything under it. Rules with several findings (IAM4, IAM5) name each one `Rule[Finding]`, and each
 * is acknowledged by that exact name, so a wildcard added later still fails the synth.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** IAM5 findings for the action wildcards of `grantRead`/`grantPut` on a bucket. */
export const S3_GRANT_ACTION_FINDINGS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*'].map(
  (action) => `AwsSolutions-IAM5[Action::${action}]`,
);

/**
 * Acknowledges the IAM5 findings of resources that end in one of `suffixes` (e.g. `/runs/*`, a key prefix)
 * and hold no other wildcard, in the policies under `scope`. Their ARNs are only known once cross-stack
 * references are resolved (cdk-nag prints them in full), so the names are made then, during validation,
 * and in the form cdk-nag prints them.
 */
export function acknowledgeScopedResources(scope: IConstruct, reason: string, suffixes: string[]): void {
  scope.node.addValidation({
    validate: () => {
      for (const policy of scope.node.findAll()) {
        if (!CfnResource.isCfnResource(policy) || !(policy instanceof iam.CfnPolicy)) continue;
        const document = Stack.of(policy).resolve(policy.policyDocument) as {
          Statement?: { Effect: string; Resource?: unknown }[];
        };
        for (const statement of document.Statement ?? []) {
          if (statement.Effect !== 'Allow') continue;
          const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
          for (const resource of resources.map(flattenCfnReference)) {
            const suffix = suffixes.find((s) => resource.endsWith(s));
            if (suffix && !resource.slice(0, -suffix.length).includes('*')) {
              acknowledge(scope, reason, `AwsSolutions-IAM5[Resource::${resource}]`);
            }
          }
        }
      }
      return [];
    },
  });
}

/**
 * The function CDK's BucketDeployment runs (one per stack, shared by every deployment in it). Its code and
 * role are CDK's: it copies an asset from the CDK assets bucket into the destination bucket and, when given
 * a distribution, invalidates it.
 */
export function acknowledgeBucketDeploymentHandler(stack: Stack, options: { invalidates: boolean }): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error(`${stack.node.path} has no BucketDeployment handler to acknowledge`);
  const reason = (why: string) => `CDK's BucketDeployment function: ${why}`;
  acknowledge(
    handler,
    reason('its role has the basic Lambda execution policy, as CDK creates it.'),
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  );
  acknowledge(
    handler,
    reason('its runtime is chosen and updated by CDK with the construct library.'),
    'AwsSolutions-L1',
  );
  acknowledge(
    handler,
    reason('reads assets from the CDK assets bucket and replaces the files of the destination bucket.'),
    ...S3_GRANT_ACTION_FINDINGS,
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
  );
  acknowledgeScopedResources(handler, reason('the objects of the assets and destination buckets.'), ['/*']);
  if (options.invalidates) {
    acknowledge(
      handler,
      reason('CreateInvalidation, which CDK grants on every distribution.'),
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}
