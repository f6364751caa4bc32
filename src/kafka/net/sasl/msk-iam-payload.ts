import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface MskIamPayloadInput {
  /** The broker's host name, as connected to. */
  host: string;
  region: string;
  credentials: AwsCredentialIdentity;
  signingDate: Date;
  userAgent: string;
}

/** aws-msk-iam-auth's AuthenticationRequestParams version; the broker reads the payload by it. */
const VERSION = '2020_10_22';
const ACTION = 'kafka-cluster:Connect';
/** How long the signature is valid, as aws-msk-iam-auth signs it (15 minutes). */
const EXPIRES_IN_S = 900;

/**
 * The AWS_MSK_IAM authentication payload, as aws-msk-iam-auth's AWS4SignedPayloadGenerator builds
 * it: a GET of https://HOST/?Action=kafka-cluster:Connect presigned with SigV4 for the service
 * kafka-cluster, whose query parameters (names lower-cased) and host header become a JSON object,
 * with the payload version and a user agent.
 */
export async function mskIamPayload(input: MskIamPayloadInput): Promise<Buffer> {
  const signer = new SignatureV4({ service: 'kafka-cluster', region: input.region, credentials: input.credentials, sha256: Sha256 });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname: input.host, path: '/', query: { Action: ACTION }, headers: { host: input.host } },
    { expiresIn: EXPIRES_IN_S, signingDate: input.signingDate },
  );
  const payload: Record<string, string> = { version: VERSION, host: input.host, 'user-agent': input.userAgent };
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    if (typeof value === 'string') payload[name.toLowerCase()] = value;
  }
  return Buffer.from(JSON.stringify(payload));
}

/**
 * The region of an MSK broker from its host name (b-1.NAME.ID.c2.kafka.REGION.amazonaws.com, and
 * the serverless and China forms), else the AWS_REGION / AWS_DEFAULT_REGION of this process.
 */
export function mskRegion(host: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const match = /\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/.exec(host.toLowerCase());
  return match?.[1] ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined);
}
