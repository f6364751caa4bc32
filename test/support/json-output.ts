import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

export const JSON_OUTPUT_SCHEMA_FILE = new URL('../../docs/json-output.schema.json', import.meta.url);

export const jsonOutputSchema = JSON.parse(readFileSync(JSON_OUTPUT_SCHEMA_FILE, 'utf8')) as {
  $defs: Record<string, { enum?: unknown[] }>;
};

// strict: a keyword the schema misspells, or a type it leaves open, fails its compilation.
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(jsonOutputSchema, 'json-output');
const validate = ajv.getSchema('json-output')!;

/** The $defs entry of a line of this type (and kind), to say what is wrong with it in a few words. */
const BRANCH: Record<string, string> = {
  stage: 'stageEvent',
  progress: 'progressEvent',
  info: 'infoEvent',
  warning: 'warningEvent',
  retry: 'retryEvent',
  worker: 'workerEvent',
  metrics: 'metricsLine',
  error: 'error',
  'result plan': 'planResult',
  'result copy': 'copyResult',
  'result verify': 'verifyResult',
  'result purge': 'purgeResult',
  'result status': 'statusResult',
  'result reroute-stage': 'rerouteStageResult',
  'result refused': 'refusedResult',
  'result demo': 'demoResult',
};

const describe = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.keyword === 'additionalProperties' ? `: ${String(e.params['additionalProperty'])}` : ''}`)
    .join('; ');

/** Why a --json line does not fit docs/json-output.schema.json (null: it fits). */
export function jsonLineProblem(line: unknown): string | null {
  if (validate(line)) return null;
  const object = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>;
  const branch = BRANCH[object['type'] === 'result' ? `result ${String(object['kind'])}` : String(object['type'])];
  if (branch === undefined)
    return `no line has type ${JSON.stringify(object['type'])}${object['type'] === 'result' ? ` and kind ${JSON.stringify(object['kind'])}` : ''}`;
  const validateBranch = ajv.getSchema(`json-output#/$defs/${branch}`)!;
  validateBranch(line);
  return describe(validateBranch.errors) || describe(validate.errors);
}

/** Every stdout line of a --json run, parsed, after checking each against the schema (the test fails naming the line). */
export function checkedJsonLines(stdout: string): Array<Record<string, unknown>> {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  return lines.map((text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    const problem = jsonLineProblem(line);
    if (problem !== null) throw new Error(`a --json line does not fit docs/json-output.schema.json (${problem}):\n${text.slice(0, 2000)}`);
    return line;
  });
}
