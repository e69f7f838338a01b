/** Jest runs only the suite that proves the package works under Jest's module realm. */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/__test__/jest/**/*.test.js'],
  // The package by name, as a consumer requires it.
  moduleNameMapper: { '^codex-native$': '<rootDir>/index.js' },
  testTimeout: 30000,
}
