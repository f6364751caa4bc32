import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { KrerouteError } from '../common/errors.ts';

/** How to reach one registry's Confluent-compatible API; the auth values never appear in errors. */
export interface SchemaRegistrySettings {
  url: string;
  /** `user:password` for HTTP basic auth (Confluent's basic.auth.user.info). */
  basicAuthUserInfo?: string;
  bearerToken?: string;
  /** For an https registry: the CA certificates to trust, a client certificate (schema.registry.ssl.*). */
  tls?: ConnectionOptions;
  timeoutMs?: number;
}

export interface RegisteredSchema {
  schema: string;
  /** AVRO when the registry leaves it out (Confluent's convention). */
  schemaType: string;
  references: unknown[];
}

/** A small client of the Confluent schema registry REST API (the calls kreroute needs, no cache). */
export class SchemaRegistryClient {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #tls: ConnectionOptions;
  readonly #credentials: 'none' | 'basic' | 'bearer' = 'none';

  constructor(settings: SchemaRegistrySettings) {
    this.url = settings.url.replace(/\/+$/, '');
    this.#timeoutMs = settings.timeoutMs ?? 30_000;
    this.#tls = settings.tls ?? {};
    this.#headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (settings.basicAuthUserInfo) {
      this.#headers['authorization'] = `Basic ${Buffer.from(settings.basicAuthUserInfo).toString('base64')}`;
      this.#credentials = 'basic';
    } else if (settings.bearerToken) {
      this.#headers['authorization'] = `Bearer ${settings.bearerToken}`;
      this.#credentials = 'bearer';
    }
  }

  /** The schema with this id, or undefined when the registry has no such id. */
  async schemaById(id: number): Promise<RegisteredSchema | undefined> {
    const body = await this.#call('GET', `/schemas/ids/${id}`, undefined, [404]);
    if (body === undefined) return undefined;
    const answer = body as { schema: string; schemaType?: string; references?: unknown[] };
    return { schema: answer.schema, schemaType: answer.schemaType ?? 'AVRO', references: answer.references ?? [] };
  }

  /** The subjects and versions that use this id ([] when none or unknown). */
  async subjectVersionsOfId(id: number): Promise<{ subject: string; version: number }[]> {
    const body = await this.#call('GET', `/schemas/ids/${id}/versions`, undefined, [404]);
    return (body as { subject: string; version: number }[] | undefined) ?? [];
  }

  /** The id of this schema under this subject, or undefined when the subject does not have it. */
  async idInSubject(subject: string, schema: RegisteredSchema): Promise<number | undefined> {
    const body = await this.#call('POST', `/subjects/${encodeURIComponent(subject)}`, registration(schema), [404]);
    return (body as { id: number } | undefined)?.id;
  }

  /**
   * Registers the schema under the subject; with `imported`, under that id and version (the
   * registry's IMPORT mode, see setMode). Returns the id the registry gave it.
   */
  async register(subject: string, schema: RegisteredSchema, imported?: { id: number; version: number }): Promise<number> {
    const request = { ...registration(schema), ...(imported ? { schemaType: schema.schemaType, ...imported } : {}) };
    const body = await this.#call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, request, []);
    return (body as { id: number }).id;
  }

  /** The registry's global mode (READWRITE, READONLY, IMPORT…), or undefined when it has no mode API (GET /mode unknown). */
  async mode(): Promise<string | undefined> {
    const body = await this.#call('GET', '/mode', undefined, NO_SUCH_API);
    return (body as { mode?: string } | undefined)?.mode;
  }

  /**
   * Sets one subject's mode (PUT /mode/{subject}). A refusal — no mode API, a mode the registry
   * does not know (Confluent: 42204), an operation it does not permit (42205: IMPORT on a subject
   * that has schemas), any other 4xx but auth and throttling — is returned, not thrown.
   */
  async setMode(subject: string, mode: string): Promise<ModeRefusal | undefined> {
    const answer = await this.#send('PUT', `/mode/${encodeURIComponent(subject)}`, { mode });
    if (answer.status >= 200 && answer.status < 300) return undefined;
    const refused = NO_SUCH_API.includes(answer.status) || (answer.status >= 400 && answer.status < 500 && ![401, 403, 408, 429].includes(answer.status));
    if (!refused) throw this.#failure('PUT', `/mode/${encodeURIComponent(subject)}`, answer);
    let parsed: { error_code?: number; message?: string } = {};
    try {
      parsed = JSON.parse(answer.text) as typeof parsed;
    } catch {
      // not JSON: the status says enough
    }
    return { status: answer.status, ...(parsed.error_code ? { errorCode: parsed.error_code } : {}), message: (parsed.message ?? answer.text).slice(0, 200) };
  }

  async #call(method: string, path: string, body: unknown, absent: number[]): Promise<unknown> {
    const answer = await this.#send(method, path, body);
    if (absent.includes(answer.status)) return undefined;
    if (answer.status < 200 || answer.status >= 300) throw this.#failure(method, path, answer);
    return JSON.parse(answer.text);
  }

  async #send(method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/vnd.schemaregistry.v1+json' };
    try {
      return await exchange(
        new URL(`${this.url}${path}`),
        { method, headers, tls: this.#tls, timeoutMs: this.#timeoutMs },
        body === undefined ? undefined : JSON.stringify(body),
      );
    } catch (error) {
      throw new KrerouteError('UNREACHABLE', `schema registry ${this.url}: ${method} ${path} failed (${(error as Error).message})`, {
        hint: this.url.startsWith('https:')
          ? 'check the URL, that the registry runs, and that schema.registry.ssl.truststore.* holds the CA that signed its certificate'
          : 'check the URL and that the registry runs',
      });
    }
  }

  #failure(method: string, path: string, answer: { status: number; text: string }): KrerouteError {
    const refused = answer.status === 401 || answer.status === 403;
    const code = refused ? 'AUTH' : answer.status >= 500 ? 'UNREACHABLE' : 'CONFIG';
    return new KrerouteError(
      code,
      `schema registry ${this.url}: ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 200)}`,
      refused ? { hint: AUTH_HINT[answer.status === 401 ? this.#credentials : 'given'] } : {},
    );
  }
}

/** What to check when a registry refuses: by the credentials sent (401), or for a 403, their rights. */
const AUTH_HINT = {
  none: "the registry requires credentials: set basic.auth.user.info or bearer.auth.token in that side's properties file",
  basic: "check basic.auth.user.info in that side's properties file (user:password), or give bearer.auth.token if the registry takes tokens",
  bearer: "check bearer.auth.token in that side's properties file: it may have expired or come from another issuer",
  given: 'the credentials were accepted but lack the rights asked for: reading schemas, and for --schemas register or translate, writing them',
} as const;

/** Why a registry refused a mode change: the HTTP status, Confluent's error code when given, its message. */
export interface ModeRefusal {
  status: number;
  errorCode?: number;
  message: string;
}

/** The statuses of a registry without the API asked for (Apicurio 2.4's Confluent API answers 404 to /mode). */
const NO_SUCH_API = [404, 405, 501];

function registration(schema: RegisteredSchema): Record<string, unknown> {
  return {
    schema: schema.schema,
    ...(schema.schemaType === 'AVRO' ? {} : { schemaType: schema.schemaType }),
    ...(schema.references.length > 0 ? { references: schema.references } : {}),
  };
}

/**
 * One HTTP exchange with node:http(s) rather than fetch: fetch cannot be given a CA or a client
 * certificate without a dependency on undici.
 */
function exchange(
  url: URL,
  options: { method: string; headers: Record<string, string>; tls: ConnectionOptions; timeoutMs: number },
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const { method, headers, tls, timeoutMs } = options;
    const request = url.protocol === 'https:' ? httpsRequest(url, { method, headers, ...tls }) : httpRequest(url, { method, headers });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(body);
  });
}
