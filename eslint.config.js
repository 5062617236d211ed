// @ts-check
// ESLint flat config: typescript-eslint with full type information (projectService).
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Node globals for plain JS files (TS files get globals from @types/node via the type checker). */
const nodeGlobals = /** @type {const} */ ({
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  setImmediate: 'readonly',
  queueMicrotask: 'readonly',
  structuredClone: 'readonly',
  AbortController: 'readonly',
  TextEncoder: 'readonly',
  TextDecoder: 'readonly',
  fetch: 'readonly',
});

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'data/**',
      'test-artifacts/**',
      'examples/**/node_modules/**',
      '**/*.cjs',
      'bin/**',
    ],
  },

  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  tseslint.configs.stylisticTypeChecked,

  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // --- explicitly required (some are already in the presets; pinned here on purpose) ---
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe()/it() return promises that the runner tracks itself.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: [
                'test',
                'it',
                'describe',
                'suite',
                'before',
                'after',
                'beforeEach',
                'afterEach',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        {
          // a `default:` on a union switch does not excuse missing cases
          considerDefaultExhaustiveForUnions: false,
          allowDefaultCaseForExhaustiveSwitch: true,
          requireDefaultForNonUnion: false,
        },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      // with verbatimModuleSyntax, `import { type A }` still emits a side-effect import
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/consistent-type-exports': 'error',

      // money is bigint: `${amount}` must be fine; objects/nullish/any in templates are bugs
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true, // covers number AND bigint
          allowBoolean: true,
          allowAny: false,
          allowNullish: false,
          allowRegExp: false,
          allowNever: false,
        },
      ],

      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      // explicit `bigint`/`number` on params & fields documents money/time APIs; only locals are nagged
      '@typescript-eslint/no-inferrable-types': [
        'error',
        { ignoreParameters: true, ignoreProperties: true },
      ],

      // Disabled: async implementations of Promise-returning interfaces (in-memory/sqlite stores) legitimately have no await.
      '@typescript-eslint/require-await': 'off',
    },
  },

  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: {
      // Tests assert on lookups they just set up (noUncheckedIndexedAccess); a crash is a fine test failure.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },

  {
    // Type-aware rules off for plain JS: tsconfig has no allowJs, so these files have no type information.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'module',
      globals: nodeGlobals,
    },
  },
);
