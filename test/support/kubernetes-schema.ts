// Checks a Kubernetes object offline against the OpenAPI schema of its kind, as the package
// kubernetes-models ships it compiled, and names the fields that schema does not know (as
// `kubectl apply` does with strict field validation). The compiled validator reads every field
// its schema defines, so a field of the object it never read is unknown to the schema.

interface Validatable {
  prototype: { validate(this: unknown): void };
}

interface SchemaError {
  instancePath: string;
  message?: string;
  params: { allowedValues?: unknown[] };
}

/** Problems of `object` against its kind's schema, one line each; none when it is valid. */
export async function schemaProblems(object: Record<string, unknown>): Promise<string[]> {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind must be strings'];
  const model = await modelOf(apiVersion, kind);
  if (!model) return [`no schema for ${apiVersion} ${kind}`];
  const read = new Set<string>();
  try {
    model.prototype.validate.call(recordingReads(object, '', read));
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) throw error;
    return errors.map(describe);
  }
  return fieldPaths(object, '')
    .filter((path) => !read.has(path))
    .map((path) => `${path} is not a field of ${kind}`);
}

async function modelOf(apiVersion: string, kind: string): Promise<Validatable | undefined> {
  if (!/^([a-z0-9.-]+\/)?v\w+$/.test(apiVersion) || !/^[A-Z]\w*$/.test(kind)) return undefined;
  try {
    const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, Validatable>;
    return module[kind];
  } catch {
    return undefined;
  }
}

function describe({ instancePath, message, params }: SchemaError): string {
  const allowed = params.allowedValues ? ` (${params.allowedValues.join(', ')})` : '';
  return `${instancePath || '/'} ${message ?? 'is invalid'}${allowed}`;
}

function recordingReads(value: unknown, path: string, read: Set<string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      read.add(`${path}/${key}`);
      return recordingReads(child, `${path}/${key}`, read);
    },
  });
}

/** The path of every object key in `value`, at any depth (array items are walked, not listed). */
function fieldPaths(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => fieldPaths(item, `${path}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [`${path}/${key}`, ...fieldPaths(child, `${path}/${key}`)]);
}
