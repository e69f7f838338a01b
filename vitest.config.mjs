import { fileURLToPath } from 'node:url'

import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // The tests import the package by name, as a consumer would; ESM resolves to index.mjs.
    alias: { 'codex-native': fileURLToPath(new URL('./index.mjs', import.meta.url)) },
  },
  test: {
    include: ['__test__/**/*.test.mjs'],
    // Native addons need real processes, not worker threads.
    pool: 'forks',
    testTimeout: 30_000,
  },
})
