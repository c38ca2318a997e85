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
/**
 * SQL lives in a module's `*.repository.ts` only (docs/DEVELOPMENT.md, "Data access"): services and
 * routes call repositories, never Kysely's query builder. `*.sql.ts` holds fragments its
 * repositories share (catalog's `visibleTo`).
 */
const queriesTheDatabase = [
  {
    selector:
      'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom)$/]',
    message: 'Query the database in a *.repository.ts of the module that owns the table.',
  },
  {
    selector: "TaggedTemplateExpression[tag.name='sql']",
    message: 'Raw SQL belongs in a *.repository.ts of the module that owns the table.',
  },
  {
    selector: "CallExpression[callee.property.name='transaction'][arguments.length=0]",
    message: 'Open transactions through the Transactor port (src/platform/db/transactor.ts).',
  },
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
      'web/dist/**',
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
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...readsTheTime, ...queriesTheDatabase] },
  },
  {
    files: ['src/modules/**/*.repository.ts', 'src/modules/**/*.sql.ts'],
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
