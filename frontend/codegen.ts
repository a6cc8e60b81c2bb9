import type { CodegenConfig } from '@graphql-codegen/cli';

// Types come from the checked-in SDL, so a schema change that breaks a query
// or a field the UI reads fails `npm run build`.
const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  // Each feature's documents sit in its own src/features/<feature>/queries.ts (those more
  // than one feature sends in src/features/shared/queries.ts); any file under src/ may hold
  // one, so moving a document never drops it from the generated types.
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: {
          // Token counts arrive as JSON numbers.
          BigInt: 'number',
          // Money is an exact decimal string; never parse it to a float for totals.
          Decimal: 'string',
          DateTime: 'string',
          // A UTC day, `YYYY-MM-DD`.
          Date: 'string',
          JSON: 'unknown',
          // Multipart file uploads (importUsageCsv).
          Upload: 'File',
        },
      },
    },
  },
};

export default config;
