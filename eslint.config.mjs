// ESLint for the whole project, run by `npm run lint` and by the suite (tests/static/lint.test.ts).
import * as path from 'node:path'
import js from '@eslint/js'
import { defineConfig, includeIgnoreFile } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  // What git ignores (build output, node_modules, logs) is not ours to lint.
  includeIgnoreFile(path.join(import.meta.dirname, '.gitignore')),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The TypeScript project service picks tsconfig.node.json or tsconfig.web.json for each file
        // through the solution tsconfig.json, so each runtime is linted with its own libs and types.
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers read fine in messages and file names (`step ${step}`); arrays, null and undefined do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `onClick={() => setOpen(false)}` returns nothing anyone reads; the shorthand is the idiom in React.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // noUncheckedIndexedAccess makes every typed-array read `number | undefined`; in the numeric loops
      // (PCA, decoders, point clouds) the index is in range by construction, and `!` says so where a
      // fallback such as `?? 0` would hide an off-by-one instead of failing loudly.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // An async function without await is how a handler meets an interface that wants a promise, and it
      // turns a synchronous throw into a rejection, which the engine and studio message loops rely on.
      '@typescript-eslint/require-await': 'off',
      // `const { rows: _rows, ...rest } = x` is how a key is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }]
    }
  },
  // Plain JavaScript (bin/, scripts/) is not part of either TypeScript project: lint it without types.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.d.mts'],
    extends: [tseslint.configs.disableTypeChecked]
  },
  // package.json says "type": "commonjs": a .js file imports with require.
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  // A tfjs kernel receives its backend typed as `{}` and is registered for wasm only, so it is handed the wasm
  // backend. Checking with instanceof would need tfjs-backend-wasm's class when these modules load, while the
  // engine loads that package only once it starts the wasm backend (threads.ts).
  {
    files: ['src/engine/backend/wasm-kernels/**'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' }
  },
  // Tests.
  {
    files: ['tests/**', '**/*.test.ts', '**/*.bench.ts'],
    rules: {
      // vitest types its asymmetric matchers (expect.stringMatching and the like) as any, so that they fit
      // anywhere in an expected value.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Values made in beforeAll are typed as always there, but afterAll must also clean up after a setup
      // that failed halfway: `await server?.stop()` is needed there although the types say it is not.
      '@typescript-eslint/no-unnecessary-condition': 'off'
    }
  },
  // Runtimes, by folder (docs/architecture.md): the renderer runs in a browser page; everything else in Node.
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser }
  },
  {
    files: ['src/main/**', 'src/preload/**', 'src/engine/**', 'src/node/**', 'tests/**', 'scripts/**', 'bin/**', '*.config.ts'],
    languageOptions: { globals: globals.node }
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error'
    }
  }
)
