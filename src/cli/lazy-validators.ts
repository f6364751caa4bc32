import { Ajv2020, type AnySchema, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * The Kafka client library compiles all 38 of its option schemas with ajv when it is imported:
 * about 0.3 CPU s, a quarter of a copy's start-up on a 2-core machine, for a handful of validators
 * a run calls. Imported before the library, this makes the shared Ajv2020 compile a schema the
 * first time it validates instead. The validators accept and reject the same input with the same
 * errors; a schema that does not compile would fail at its first use rather than at import. The
 * library's schemas hold no $id or $ref, so none depends on another having been compiled first.
 */
const compileNow = Ajv2020.prototype.compile;

Ajv2020.prototype.compile = function compileOnFirstUse<T = unknown>(this: Ajv2020, schema: AnySchema, meta?: boolean): ValidateFunction<T> {
  const ajv = this;
  let compiled: ValidateFunction<T> | undefined;
  const validate = function (this: unknown, ...args: Parameters<ValidateFunction<T>>): boolean {
    compiled ??= compileNow.call(ajv, schema, meta) as ValidateFunction<T>;
    const valid = compiled.apply(this, args);
    validate.errors = compiled.errors;
    return valid;
  } as ValidateFunction<T>;
  return validate;
} as typeof Ajv2020.prototype.compile;
