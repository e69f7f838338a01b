/** Jest runs only the suite that proves the package works under Jest's module realm. */
module.exports = {
  testEnvironment: 'node',
  // Only the tests' folder is crawled: elsewhere (target/arm64-node, from scripts/check-arm64.sh)
  // lie other package.json files that would enter Jest's module map, and the crawl is slow.
  roots: ['<rootDir>/__test__'],
  testMatch: ['<rootDir>/__test__/jest/**/*.test.js'],
  // The package by name, as a consumer requires it.
  moduleNameMapper: { '^codex-native$': '<rootDir>/index.js' },
  testTimeout: 30000,
}
