import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm run dev` talks to a running `cognitrack serve` (default 127.0.0.1:8080).
const api = process.env.COGNITRACK_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/graphql': api } },
  build: {
    outDir: 'dist',
    sourcemap: true,
    // React DOM and Recharts, which the first page needs, are ~700 kB (200 kB gzipped).
    chunkSizeWarningLimit: 800,
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
