import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { VERSION } from '../../../common/version.ts';
import type { AwsIamOptions } from './sasl-settings.ts';
import { mskIamPayload, mskRegion } from './msk-iam-payload.ts';
import { SaslLoginError } from './sasl-login-error.ts';

/** Credentials are fetched again this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * AWS_MSK_IAM logins: credentials from the standard AWS chain (environment, shared config and
 * SSO, web identity, container and instance metadata), or from the profile awsProfileName, then
 * assumed into awsRoleArn when given, as aws-msk-iam-auth does; each login signs a fresh payload.
 */
export class MskIamLogin {
  readonly #options: AwsIamOptions;
  #provider: Promise<AwsCredentialIdentityProvider> | undefined;
  #held: AwsCredentialIdentity | undefined;

  constructor(options: AwsIamOptions) {
    this.#options = options;
  }

  async payload(host: string): Promise<Buffer> {
    const region = mskRegion(host);
    if (region === undefined) {
      throw new SaslLoginError('CONFIG', `cannot tell the AWS region of broker ${host} from its name`, "set AWS_REGION to the MSK cluster's region");
    }
    return mskIamPayload({ host, region, credentials: await this.#credentials(), signingDate: new Date(), userAgent: `kreroute/${VERSION}` });
  }

  async #credentials(): Promise<AwsCredentialIdentity> {
    const held = this.#held;
    if (held && (held.expiration === undefined || held.expiration.getTime() - REFRESH_BEFORE_MS > Date.now())) return held;
    try {
      this.#held = await (await (this.#provider ??= this.#chain()))();
      return this.#held;
    } catch (error) {
      // The SDK's messages name providers and profiles, never key material.
      const reason = ((error as Error).message ?? String(error)).split('\n')[0];
      throw new SaslLoginError(
        'AUTH',
        `no AWS credentials for AWS_MSK_IAM (${reason})`,
        'set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or awsProfileName in sasl.jaas.config',
      );
    }
  }

  async #chain(): Promise<AwsCredentialIdentityProvider> {
    // Loaded on first use: the SDK's providers are large and only AWS_MSK_IAM needs them.
    const { fromIni, fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
    const { profile, roleArn, roleSessionName, stsRegion } = this.#options;
    const base = profile ? fromIni({ profile }) : fromNodeProviderChain();
    if (!roleArn) return base;
    return fromTemporaryCredentials({
      masterCredentials: base,
      params: { RoleArn: roleArn, RoleSessionName: roleSessionName ?? `kreroute-${Date.now()}` },
      ...(stsRegion ? { clientConfig: { region: stsRegion } } : {}),
    });
  }
}
