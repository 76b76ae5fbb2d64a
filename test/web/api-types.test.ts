import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { apiDocument } from '../../web/scripts/api-document.js';
import { useApi } from '../support/api.js';

const root = path.resolve(import.meta.dirname, '../..');

describe("the dashboard's generated API types", () => {
  it('are what `npm run web:types` generates now (run it after changing a route)', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'web-types-'));
    try {
      const generated = path.join(scratch, 'schema.d.ts');
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'web/scripts/generate-api-types.ts', generated], { cwd: root });
      const committed = await readFile(path.join(root, 'web/src/api/schema.d.ts'), 'utf8');
      expect(committed === (await readFile(generated, 'utf8'))).toBe(true);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  describe('come from the document the service serves', () => {
    const api = useApi();
    it('with the same routes as the composition root (add a new route factory to web/scripts/api-document.ts)', async () => {
      const served = await request(api.app).get('/api/openapi.json').expect(200);
      expect(JSON.parse(JSON.stringify(apiDocument()))).toEqual(served.body);
    });
  });
});
