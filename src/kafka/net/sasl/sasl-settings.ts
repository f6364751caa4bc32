/** Username and password mechanisms, which the client library speaks itself. */
export interface PasswordSasl {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

/** OAUTHBEARER with tokens from an OIDC token endpoint (the client credentials grant). */
export interface OAuthBearerSasl {
  mechanism: 'OAUTHBEARER';
  oauth: OAuthClientCredentials;
}

export interface OAuthClientCredentials {
  tokenEndpointUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** SASL extensions sent with the token (Kafka's JAAS options extension_NAME="value"). */
  extensions?: Record<string, string>;
  /** A token is replaced once this fraction of its lifetime has passed (sasl.login.refresh.window.factor). */
  refreshWindowFactor: number;
  /** Form-encode the client id and secret in the Basic header (sasl.oauthbearer.header.urlencode). */
  headerUrlencode?: boolean;
  /** Bounded wait for the token endpoint, in ms. */
  requestTimeoutMs?: number;
}

/** AWS_MSK_IAM: a SigV4-signed payload from the standard AWS credential chain. */
export interface AwsMskIamSasl {
  mechanism: 'AWS_MSK_IAM';
  aws: AwsIamOptions;
}

/** The options of aws-msk-iam-auth's IAMLoginModule that kreroute honours. */
export interface AwsIamOptions {
  profile?: string;
  roleArn?: string;
  roleSessionName?: string;
  stsRegion?: string;
}

export type SaslSettings = PasswordSasl | OAuthBearerSasl | AwsMskIamSasl;
