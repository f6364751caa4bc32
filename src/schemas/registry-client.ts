import { KrerouteError } from '../common/errors.ts';

/** How to reach one registry's Confluent-compatible API; the auth values never appear in errors. */
export interface SchemaRegistrySettings {
  url: string;
  /** `user:password` for HTTP basic auth (Confluent's basic.auth.user.info). */
  basicAuthUserInfo?: string;
  bearerToken?: string;
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

  constructor(settings: SchemaRegistrySettings) {
    this.url = settings.url.replace(/\/+$/, '');
    this.#timeoutMs = settings.timeoutMs ?? 30_000;
    this.#headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (settings.basicAuthUserInfo) {
      this.#headers['authorization'] = `Basic ${Buffer.from(settings.basicAuthUserInfo).toString('base64')}`;
    } else if (settings.bearerToken) {
      this.#headers['authorization'] = `Bearer ${settings.bearerToken}`;
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

  /** Registers the schema under the subject (with this id when given: the registry's IMPORT mode). */
  async register(subject: string, schema: RegisteredSchema, id?: number): Promise<number> {
    const request = { ...registration(schema), ...(id === undefined ? {} : { id }) };
    const body = await this.#call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, request, []);
    return (body as { id: number }).id;
  }

  async #call(method: string, path: string, body: unknown, absent: number[]): Promise<unknown> {
    const where = `schema registry ${this.url}: ${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/vnd.schemaregistry.v1+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new KrerouteError('UNREACHABLE', `${where} failed (${(error as Error).message})`, {
        hint: 'check the URL and that the registry runs',
      });
    }
    if (absent.includes(response.status)) return undefined;
    const text = await response.text();
    if (!response.ok) {
      const code = response.status === 401 || response.status === 403 ? 'AUTH' : response.status >= 500 ? 'UNREACHABLE' : 'CONFIG';
      throw new KrerouteError(code, `${where} answered ${response.status}: ${text.slice(0, 200)}`);
    }
    return JSON.parse(text);
  }
}

function registration(schema: RegisteredSchema): Record<string, unknown> {
  return {
    schema: schema.schema,
    ...(schema.schemaType === 'AVRO' ? {} : { schemaType: schema.schemaType }),
    ...(schema.references.length > 0 ? { references: schema.references } : {}),
  };
}
