import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePorts } from './free-port.ts';
import { tailLines } from './log-file.ts';
import { spawnJava, stopChild } from './java-process.ts';
import { cacheDir } from './paths.ts';

/** A schema registry (Apicurio Registry, in-memory storage) on loopback, for the tests. */
export interface LocalSchemaRegistry {
  /** The Confluent-compatible API's base URL, e.g. http://127.0.0.1:40123/apis/ccompat/v7. */
  url: string;
  /** With `tls`: the same API over https (its plain http port stays open for the harness). */
  httpsUrl?: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface LocalSchemaRegistryOptions {
  name: string;
  /** The folder of its log file. */
  logDir: string;
  startTimeoutMs?: number;
  /** Also serve https with this certificate; with `clientTrustStore`, only to clients with a certificate it trusts. */
  tls?: LocalRegistryTls;
  /** Answer only requests with credentials: a user's HTTP basic auth, or a bearer token this key signed. */
  auth?: LocalRegistryAuth;
}

export interface LocalRegistryAuth {
  /** user → password, for HTTP basic auth. */
  users: Record<string, string>;
  /** PEM (SPKI): the public key of the RS256 bearer tokens (JWT) the registry accepts. */
  tokenPublicKey: string;
}

export interface LocalRegistryTls {
  /** PEM: the certificate (valid for 127.0.0.1) and its unencrypted key. */
  certificateFile: string;
  keyFile: string;
  /** A PKCS12 truststore of the CAs whose client certificates are required. */
  clientTrustStore?: { file: string; password: string };
}

/** Where scripts/build-registry.sh puts the registry: the runner jar and its lib/. */
export function schemaRegistryDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'schema-registry');
}

export function schemaRegistryBuilt(env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(path.join(schemaRegistryDir(env), 'schema-registry-runner.jar'));
}

const CCOMPAT_PATH = '/apis/ccompat/v7';

/** Starts one registry on a free loopback port and waits until its API answers. */
export async function startLocalSchemaRegistry(options: LocalSchemaRegistryOptions): Promise<LocalSchemaRegistry> {
  const dir = schemaRegistryDir();
  if (!schemaRegistryBuilt()) {
    throw new Error(`no schema registry in ${dir}: run scripts/build-registry.sh (bootstrap.sh does)`);
  }
  const [port, httpsPort] = (await freePorts(2)) as [number, number];
  const logFile = path.join(options.logDir, `schema-registry-${options.name}-${port}.log`);
  const child = spawnJava({
    libsDir: path.join(dir, 'lib'),
    extraClasspath: [path.join(dir, 'schema-registry-runner.jar')],
    mainClass: 'io.quarkus.runner.GeneratedMain',
    args: [],
    logFile,
    heap: '384m',
    systemProperties: {
      'quarkus.http.host': '127.0.0.1',
      'quarkus.http.port': String(port),
      'quarkus.http.access-log.enabled': 'false',
      ...(options.tls ? httpsProperties(options.tls, httpsPort) : {}),
      ...(options.auth ? authProperties(options.auth) : {}),
    },
  });
  const registry: LocalSchemaRegistry = {
    url: `http://127.0.0.1:${port}${CCOMPAT_PATH}`,
    ...(options.tls ? { httpsUrl: `https://127.0.0.1:${httpsPort}${CCOMPAT_PATH}` } : {}),
    logFile,
    stop: () => stopChild(child),
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    // With auth, a refusal is the registry answering.
    if (await answers(`${registry.url}/subjects`, options.auth ? [401] : [])) return registry;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stopChild(child).catch(() => {});
  throw new Error(`schema registry ${options.name} did not start; log: ${logFile}\n${await tailLines(logFile)}`);
}

/**
 * Quarkus's https settings (PEM certificate; a PKCS12 truststore for client certificates). That a
 * client certificate is required is fixed when the registry is built (scripts/registry).
 */
function httpsProperties(tls: LocalRegistryTls, port: number): Record<string, string> {
  return {
    'quarkus.http.ssl-port': String(port),
    'quarkus.http.ssl.certificate.files': tls.certificateFile,
    'quarkus.http.ssl.certificate.key-files': tls.keyFile,
    ...(tls.clientTrustStore
      ? {
          'quarkus.http.ssl.certificate.trust-store-file': tls.clientTrustStore.file,
          'quarkus.http.ssl.certificate.trust-store-file-type': 'PKCS12',
          'quarkus.http.ssl.certificate.trust-store-password': tls.clientTrustStore.password,
        }
      : {}),
  };
}

/**
 * Apicurio's own auth (registry.auth.enabled): bearer tokens checked by Quarkus's OIDC extension
 * against a public key, with no OIDC server; basic auth against Quarkus's embedded users, wired in
 * by scripts/registry (BasicOrBearerAuthentication).
 */
function authProperties(auth: LocalRegistryAuth): Record<string, string> {
  const users = Object.entries(auth.users).map(([user, password]) => [`quarkus.security.users.embedded.users.${user}`, password]);
  return {
    'registry.auth.enabled': 'true',
    'quarkus.oidc.public-key': auth.tokenPublicKey.replace(/-----[^-]+-----|\s/g, ''),
    ...Object.fromEntries(users),
  };
}

async function answers(url: string, alsoUp: number[]): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok || alsoUp.includes(response.status);
  } catch {
    return false;
  }
}
