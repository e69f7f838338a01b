'use strict'
/**
 * codex-native: the public entry point (CommonJS). `index.mjs` re-exports this module, so both
 * entries share one set of classes and `instanceof` holds across them.
 *
 * Each concern lives in `lib/`: `errors.js` (the classes), `exec.js`, `format.js` (a result as a
 * model reads it), `stream.js`, `abort.js` (AbortSignal → native cancellation), `validate.js`
 * (argument checks) and `native.js`, the one module that loads the generated binding.
 */

const { classes } = require('./lib/errors.js')
const { exec, sandboxSupport } = require('./lib/exec.js')
const { formatOutputForModel } = require('./lib/format.js')
const { ResponsesClient, ResponseStream } = require('./lib/stream.js')

module.exports = { exec, sandboxSupport, formatOutputForModel, ResponsesClient, ResponseStream, ...classes }
