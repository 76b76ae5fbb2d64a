import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const lint = async (filePath: string, code: string): Promise<string[]> => {
  const [result] = await new ESLint().lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'stockcontrol/domain-isolation').map((message) => message.message);
};

describe('lint: src/domain imports nothing from outside src/domain', () => {
  it('refuses packages, node built-ins and paths that climb out of src/domain', async () => {
    const code = [
      "import pg from 'pg';",
      "import { randomUUID } from 'node:crypto';",
      "import { loadConfig } from '../config.js';",
      "export { streamName } from '../eventstore/stream-name.js';",
      'export const x = [pg, randomUUID, loadConfig];',
    ].join('\n');
    expect(await lint('src/domain/stock.ts', code)).toHaveLength(4);
    expect(await lint('src/domain/stock/decider.ts', "import { y } from '../../api/app.js';\nexport const x = y;")).toHaveLength(1);
  });

  it('allows imports within src/domain and leaves other folders alone', async () => {
    expect(await lint('src/domain/stock/decider.ts', "import { q } from '../quantity.js';\nimport { r } from './rules.js';\nexport const x = [q, r];")).toEqual([]);
    expect(await lint('src/api/app.ts', "import pg from 'pg';\nexport const x = pg;")).toEqual([]);
  });
});
