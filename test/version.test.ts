import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createOpenApiDocument } from '../src/api/openapi';
import { SERVICE_VERSION } from '../src/version';

describe('release version', () => {
  const root = path.resolve(__dirname, '..');
  const json = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { version: string };

  it('is one number: package.json, its lock, the OpenAPI document and the CHANGELOG head agree', () => {
    expect(json('package.json').version).toBe(SERVICE_VERSION);
    expect(json('package-lock.json').version).toBe(SERVICE_VERSION);
    expect((createOpenApiDocument().info as { version: string }).version).toBe(SERVICE_VERSION);
    const head = /^## (\S+)/m.exec(readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'));
    expect(head?.[1]).toBe(SERVICE_VERSION);
  });
});
