/**
 * codex-native: the public entry point (ES modules). It re-exports the CommonJS entry so that
 * `import` and `require` share one set of classes: an error thrown through one is `instanceof`
 * the class imported through the other.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const codex = require('./index.js')

export const {
  exec,
  sandboxSupport,
  formatOutputForModel,
  ResponsesClient,
  ResponseStream,
  CodexError,
  SandboxError,
  ExecError,
  SandboxDeniedError,
  TimeoutError,
  SignalError,
  LandlockRestrictError,
  SeccompError,
  SandboxPolicyError,
  SandboxUnsupportedError,
  SandboxExecutableNotFoundError,
  StreamDisconnectedError,
  StreamTimeoutError,
  UnexpectedStatusError,
  RetryLimitError,
  ResponseFailedError,
  InterruptedError,
  SpawnError,
  CodexIoError,
  InvalidEventError,
  EnvVarError,
  InternalError,
} = codex

export default codex
