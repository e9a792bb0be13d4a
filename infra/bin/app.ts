/** `cdk synth` / `cdk deploy` run this (cdk.json). Environment-agnostic: no account, no lookups. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createStacks } from '../lib/ganzoo.ts';

const app = new App();
await createStacks(app);
// A finding nobody acknowledged with a reason fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
