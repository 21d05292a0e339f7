// ESLint (flat config): typescript-eslint with type information, so a floating or misused promise — a
// rejection nobody awaits, an async callback handed to something that ignores its promise — fails `npm run lint`.
// Also: no source file over 400 lines, no function over 80 lines of its own logic (scripts/lint/).
// Layer directions are dependency-cruiser's job (.dependency-cruiser.cjs), dead code knip's (knip.json).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { maxFunctionLogic } from './scripts/lint/max-function-logic.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', 'coverage/**', 'test/fixtures/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Small modules, one idea per file (STYLE rule 11): no source file over 400 lines, no function holding
    // more than 80 lines of its own logic.
    files: ['src/**/*.ts'],
    plugins: { kisd: { rules: { 'max-function-logic': maxFunctionLogic } } },
    rules: { 'kisd/max-function-logic': ['error', { max: 80 }], 'max-lines': ['error', { max: 400 }] },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', URL: 'readonly' } },
  },
);
