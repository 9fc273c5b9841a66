import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Served under /admin/ by the local server and by CloudFront (see docs/architecture.md).
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  test: { environment: 'happy-dom', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'] },
});
