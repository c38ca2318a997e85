// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Features talk to each other only through their public index.ts (STYLE.md §11). */
const featureBoundary = {
  patterns: [
    {
      regex: String.raw`(^|/)modules/[^/]+/(?!index\.ts$)`,
      message: 'Import another feature through its index.ts.',
    },
  ],
};
const siblingFeatureBoundary = {
  patterns: [
    ...featureBoundary.patterns,
    {
      regex: String.raw`^\.\./(?!\.\.)[^/]+/(?!index\.ts$)`,
      message: 'Import another feature through its index.ts.',
    },
  ],
};

/**
 * Time comes from the Clock port (src/platform/clock.ts), so tests can move it and every instance
 * reads it one way. `new Date(x)` (parsing, converting) is fine; reading "now" is not.
 */
const readsTheTime = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'Read the time from the Clock port (clock.now()), not Date.now().',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'Read the time from the Clock port (clock.now()), not new Date().',
  },
];
/** Files that still read the time directly; the consolidation empties this list. */
const readsTheTimeStill = [
  'src/modules/identity/demo-viewers.ts',
  'src/modules/identity/oidc.service.ts',
  'src/modules/identity/sessions.repository.ts',
  'src/modules/identity/signing-keys.ts',
  'src/modules/identity/users.repository.ts',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      '.scratch/**',
      'coverage/**',
      '.bench-tmp/**',
      'src/platform/db/db.generated.ts',
      // The player's browser script: plain ES5 with no build step, exercised by the Chromium test.
      'src/modules/playback/player/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      // Fastify plugins and port implementations are async by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-imports': ['error', featureBoundary],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', siblingFeatureBoundary] },
  },
  {
    files: ['src/modules/**/*.ts', 'src/jobs/**/*.ts'],
    ignores: ['**/*.test.ts', ...readsTheTimeStill],
    rules: { 'no-restricted-syntax': ['error', ...readsTheTime] },
  },
  {
    files: ['**/*.test.ts', '**/*.contract.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      'no-restricted-imports': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
