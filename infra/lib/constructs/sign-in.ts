import { Aws, Duration, Fn } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface SignInProps {
  userPool: cognito.IUserPool;
  /** The dashboard's origin: where the sign-in page sends the browser back to. */
  dashboardOrigin: string;
  /** From context; without it the domain prefix is derived from the stack. */
  domainPrefix?: string;
}

/** The dashboard's app client and the pool's hosted sign-in page. */
export class SignIn extends Construct {
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    // The dashboard sends its folder, `/`, whether opened as / or /index.html (web/src/lib/pkce.ts redirectUriFor).
    const returnUrl = `${props.dashboardOrigin}/`;
    this.client = new cognito.UserPoolClient(this, 'DashboardClient', {
      userPool: props.userPool,
      // A browser app cannot keep a secret; the code flow with PKCE needs none.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [returnUrl],
        logoutUrls: [returnUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    // A Cognito domain prefix is unique per region across all accounts. The stack's id ends in a UUID that
    // no other stack has, so the default needs no name from the user and cannot collide.
    const domainPrefix =
      props.domainPrefix ?? Fn.join('-', ['ganzoo', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    this.domain = new cognito.UserPoolDomain(this, 'Domain', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix },
    });
  }

  /** The issuer of this pool's tokens, as functions/auth.ts and the JWT authorizer check it. */
  static issuer(userPool: cognito.UserPool): string {
    return `https://${userPool.userPoolProviderUrl}`;
  }
}
