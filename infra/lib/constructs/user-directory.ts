import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

/**
 * The people who may use the pipeline. Runs are stored under their user's `sub`, so the pool is kept with
 * the data: a new pool would give everyone a new `sub` and hide their runs from them.
 */
export class UserDirectory extends Construct {
  readonly userPool: cognito.UserPool;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Every user can start GPU instances in the owner's account, so the owner invites them
      // (admin-create-user); nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.userPool,
      'Threat protection needs the Plus feature plan, billed per user; here users are invited, TOTP MFA ' +
        'is required, and nobody signs up alone.',
      'AwsSolutions-COG3',
      'AwsSolutions-COG8',
    );
  }
}
