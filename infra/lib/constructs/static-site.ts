import { existsSync } from 'node:fs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeBucketDeploymentHandler } from '../acknowledge.ts';

/** Written by RuntimeConfig at deploy time; the site's own deployment must neither ship nor prune it. */
export const RUNTIME_CONFIG_KEY = 'config.json';

/** Stands in for the dashboard until `web/dist` is built, so a fresh clone synthesizes and deploys. */
const PLACEHOLDER =
  '<!doctype html><meta charset="utf-8"><title>ganzoo</title>' +
  '<p>The ganzoo dashboard has not been built yet. Build web/ and run <code>cdk deploy</code> again.</p>';

export interface StaticSiteProps {
  /** The built site; a placeholder page is deployed while it does not exist. */
  siteDirectory: string;
  logBucket: s3.IBucket;
}

/** The dashboard: a private bucket that only CloudFront reads (origin access control). */
export class StaticSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Whether web/dist existed at synth (false: the placeholder was deployed). */
  readonly built: boolean;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'web/',
      // Built output only: rebuilt and redeployed from the repository at any time.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'ganzoo dashboard',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(
      this.distribution,
      'Users sign in wherever they are; the site holds no content limited by country.',
      'AwsSolutions-CFR1',
    );
    acknowledge(
      this.distribution,
      'Static files only; the API they call has its own throttling and authorizer, and a web ACL is ' +
        'billed monthly even when idle.',
      'AwsSolutions-CFR2',
    );
    acknowledge(
      this.distribution,
      'The default *.cloudfront.net certificate takes no minimum TLS version; a custom domain with its ' +
        'own certificate would.',
      'AwsSolutions-CFR4',
    );

    this.built = existsSync(props.siteDirectory);
    new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [
        this.built
          ? s3deploy.Source.asset(props.siteDirectory)
          : s3deploy.Source.data('index.html', PLACEHOLDER),
      ],
      destinationBucket: this.bucket,
      exclude: [RUNTIME_CONFIG_KEY],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    acknowledgeBucketDeploymentHandler(Stack.of(this), { invalidates: true });
  }

  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
