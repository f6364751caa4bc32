import type { ConnectionOptions as TlsOptions } from 'node:tls';

import type { SaslSettings } from '../net/sasl/sasl-settings.ts';

export type { AwsIamOptions, AwsMskIamSasl, OAuthBearerSasl, OAuthClientCredentials, PasswordSasl, SaslSettings } from '../net/sasl/sasl-settings.ts';

/** Everything needed to reach one cluster. Built by config/ from flags and a .properties file. */
export interface ClientSettings {
  bootstrap: string[];
  clientId?: string;
  tls?: TlsOptions;
  sasl?: SaslSettings;
  /** Bounded wait for a connection, in ms. */
  connectTimeoutMs?: number;
  /** Bounded wait for one request, in ms. */
  requestTimeoutMs?: number;
  /** How long any wait on this cluster may last (an unanswered request, another producer's open transaction), in ms: --wait-timeout. */
  waitTimeoutMs?: number;
  /** Hears, every 5 s, what a wait on this cluster is waiting for. */
  onWait?: (message: string) => void;
}

export function describeBootstrap(settings: ClientSettings): string {
  return settings.bootstrap.join(',');
}
