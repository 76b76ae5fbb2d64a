import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const domainDir = path.resolve('src/domain');

/**
 * `src/domain` imports nothing from outside `src/domain`: no packages, no node built-ins, no
 * relative path that climbs out of it. Deciders stay pure and testable without any I/O.
 */
const domainIsolation = {
  meta: { type: 'problem', messages: { outside: "src/domain may import only from src/domain, not '{{source}}'" } },
  create(context) {
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      const inside =
        source.startsWith('.') && path.resolve(path.dirname(context.filename), source).startsWith(domainDir + path.sep);
      if (!inside) context.report({ node, messageId: 'outside', data: { source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'web/dist/', '.data/', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'No `export *`: export what you mean by name.' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    plugins: { stockcontrol: { rules: { 'domain-isolation': domainIsolation } } },
    rules: { 'stockcontrol/domain-isolation': 'error' },
  },
);
