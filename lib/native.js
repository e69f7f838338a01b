'use strict'
/**
 * The generated loader, required here and nowhere else: every other module takes the binding
 * from this one. Its types (`binding.d.ts`) are the native contract that `index.d.ts` refines.
 */
module.exports = require('../binding.js')
