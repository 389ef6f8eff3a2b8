/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The bundle is built into the Python package, which serves it at /dashboard/.
export default defineConfig({
  base: "/dashboard/",
  plugins: [react()],
  build: {
    outDir: "../src/equeue/dashboard/static",
    emptyOutDir: true,
    // Committed and compared byte for byte by a test: no source maps, no timestamps.
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` against a running `equeue dev` (see docs/dashboard.md).
    proxy: {
      "/v1": { target: process.env.EQUEUE_URL ?? "http://127.0.0.1:8000", ws: true },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    setupFiles: ["src/test/setup.ts"],
  },
});
