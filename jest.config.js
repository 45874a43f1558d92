/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  rootDir: __dirname,
  testMatch: ['**/*.test.ts'],
  // middy is published as ESM only; let swc turn it into CommonJS for jest.
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  testTimeout: 30000,
  // Jest's default on 2 cores is one worker; much of the suite waits on servers, queues and timers (moto, the local
  // relay, the deployed-shape bundles), so two workers overlap that waiting instead of queueing behind it.
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};
