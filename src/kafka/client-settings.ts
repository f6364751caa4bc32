import type { ConnectionOptions as TlsOptions } from 'node:tls';

/** Everything needed to reach one cluster. Built by config/ from flags and a .properties file. */
export interface ClientSettings {
  bootstrap: string[];
  clientId?: string;
  tls?: TlsOptions;
  sasl?: {
    mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
    username?: string;
    password?: string;
    /** OAUTHBEARER: the token, or where a fresh one comes from (asked at every authentication and re-authentication). */
    token?: string | (() => string | Promise<string>);
  };
  /** Bounded wait for a connection, in ms. */
  connectTimeoutMs?: number;
  /** Bounded wait for one request, in ms. */
  requestTimeoutMs?: number;
}

export function describeBootstrap(settings: ClientSettings): string {
  return settings.bootstrap.join(',');
}
