import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createOpenApiDocument } from '../../../src/api/openapi';

/**
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect) validation of values against the document's
 * components, with `$ref`s resolved inside the document. ajv 8 comes with the Temporal worker's
 * webpack; it is only used here, in tests.
 */
export function openApiValidator(document: Record<string, unknown> = createOpenApiDocument()) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addVocabulary(['components']);
  const { schemas } = document.components as { schemas: Record<string, unknown> };
  ajv.addSchema({ $id: 'openapi.json', components: { schemas } });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (name: string): ValidateFunction => {
    const existing = compiled.get(name);
    if (existing) return existing;
    const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component schema ${name}`);
    compiled.set(name, validate);
    return validate;
  };
  return {
    componentNames: Object.keys(schemas),
    compile: (name: string) => validator(name),
    /** The schema violations of `value` as readable strings; empty when it conforms. */
    errors(name: string, value: unknown): string[] {
      const validate = validator(name);
      return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    },
  };
}
