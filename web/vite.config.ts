import { defineConfig } from 'vite';

/**
 * The dashboard's build. `npm run build` writes it to dist/web, where the service serves it
 * (src/api/web-assets.ts); `npm run dev:web` serves it from memory and proxies the API to the
 * service (STOCKCONTROL_URL, default http://localhost:3000), so cookies stay same-origin.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // React 19's automatic JSX runtime, compiled by Vite's own Oxc transform: no Babel plugin.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // No inlined <script> or style in index.html: the CSP allows files of this origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: {
      // React Server Components' "use client" markers in libraries mean nothing in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: process.env.STOCKCONTROL_URL ?? 'http://localhost:3000', changeOrigin: false },
    },
  },
});
