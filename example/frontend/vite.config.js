import { defineConfig } from 'vite';

// The SPA's build: hashed files under assets/ (cached for a year), index.html at the root (revalidated).
export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true, sourcemap: true },
});
