'use strict'
/**
 * `formatOutputForModel`: an exec result as a model should read it — how the command ended in
 * one line, then its output cut to whole lines at the head and the tail, in the shape codex
 * gives its own tool output. Pure JavaScript over the result; nothing native.
 */

const { checkCount, checkKnownKeys, checkObject } = require('./validate.js')

/** codex's own limits for what a model sees of a command's output. */
const DEFAULT_MAX_BYTES = 10 * 1024
const DEFAULT_MAX_LINES = 256

const FORMAT_OPTIONS = new Set(['maxBytes', 'maxLines'])

/**
 * The result as text for a model: a line saying how the command ended (exit code, timeout,
 * signal, sandbox denial, abort, or why it never started), its wall time, then `Output:` and
 * its interleaved output. Output over `maxBytes` (UTF-8) or `maxLines` keeps whole lines from
 * the head and the tail within both limits, joined by a line saying how much was left out; a
 * single line too long for the budget is cut at character boundaries instead.
 * @param {import('../index').ExecResult} result
 * @param {{ maxBytes?: number, maxLines?: number }} [options] default 10 KiB and 256 lines
 * @returns {string}
 */
function formatOutputForModel(result, options) {
  checkObject('result', result)
  if (typeof result.aggregatedOutput !== 'string') {
    throw new TypeError('result must be an ExecResult (its aggregatedOutput is not a string)')
  }
  const opts = checkObject('options', options)
  checkKnownKeys('options', opts, FORMAT_OPTIONS)
  const maxBytes = opts.maxBytes === undefined ? DEFAULT_MAX_BYTES : checkCount('options.maxBytes', opts.maxBytes)
  const maxLines = opts.maxLines === undefined ? DEFAULT_MAX_LINES : checkCount('options.maxLines', opts.maxLines)
  const seconds = Math.round(result.durationMs / 100) / 10
  return [
    ending(result),
    `Wall time: ${seconds} seconds`,
    'Output:',
    headAndTail(result, maxBytes, maxLines),
  ].join('\n')
}

/** How the run ended, in one line. */
function ending(result) {
  if (result.startError) return `Did not start: ${result.startError.message}`
  if (result.timedOut) return 'Timed out; the command and its children were killed'
  if (result.aborted) return 'Aborted; the command and its children were killed'
  const denied = result.sandboxDenied ? ' (the sandbox refused something it tried)' : ''
  if (result.signal !== null) return `Killed by signal ${result.signal}${denied}`
  return `Exit code: ${result.exitCode}${denied}`
}

/** The output within both limits: all of it, or whole lines of head and tail with a marker. */
function headAndTail(result, maxBytes, maxLines) {
  const text = result.aggregatedOutput
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? []
  const totalBytes = Buffer.byteLength(text)
  if (totalBytes <= maxBytes && lines.length <= maxLines) return text

  // The head gets half of each budget, the tail what the head left.
  const head = take(lines, Math.floor(maxBytes / 2), Math.floor(maxLines / 2), 'head')
  const tail = take(lines.slice(head.lines), maxBytes - head.bytes, maxLines - head.lines, 'tail')
  // A line shown in part is not omitted; one cut at both ends (a single huge line) is one line.
  const shownInPart = Math.min(lines.length - head.lines - tail.lines, Number(head.cut !== null) + Number(tail.cut !== null))
  const omittedLines = lines.length - head.lines - tail.lines - shownInPart
  let omittedBytes = totalBytes - head.bytes - tail.bytes
  let lineCount = `${omittedLines} ${omittedLines === 1 ? 'line' : 'lines'}`
  if (result.truncated) {
    // exec had already dropped the middle of a longer output: count what it saw, not what it kept.
    omittedBytes += result.stdoutBytes + result.stderrBytes - totalBytes
    lineCount = `at least ${lineCount}`
  }
  let marker = `[... ${lineCount} (${omittedBytes} bytes) omitted ...]`
  if (shownInPart > 0) {
    marker = omittedLines === 0 && !result.truncated
      ? `[... ${omittedBytes} bytes of a long line omitted ...]`
      : `[... ${omittedBytes} bytes omitted: ${lineCount} and part of a long one ...]`
  }
  const before = head.cut ?? head.text
  const after = tail.cut ?? tail.text
  // The marker stands on a line of its own.
  return `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}${marker}\n${after}`
}

/**
 * Whole lines from one end of `lines` within `maxBytes` and `maxLines`; when not even the
 * nearest of them fits, the part of it that does (`cut`), cut at a character boundary.
 */
function take(lines, maxBytes, maxLines, end) {
  const kept = []
  let bytes = 0
  for (let i = 0; i < lines.length && kept.length < maxLines; i++) {
    const line = end === 'head' ? lines[i] : lines[lines.length - 1 - i]
    const size = Buffer.byteLength(line)
    if (bytes + size > maxBytes) break
    kept.push(line)
    bytes += size
  }
  if (end === 'tail') kept.reverse()
  let cut = null
  if (kept.length === 0 && lines.length > 0 && maxLines > 0) {
    cut = end === 'head' ? prefix(lines[0], maxBytes) : suffix(lines[lines.length - 1], maxBytes)
    bytes = Buffer.byteLength(cut)
  }
  return { text: kept.join(''), lines: kept.length, bytes, cut }
}

/** The longest start of `text` within `maxBytes` of UTF-8, whole characters only. */
function prefix(text, maxBytes) {
  let bytes = 0
  let end = 0
  while (end < text.length) {
    const width = codePointWidth(text, end)
    const size = Buffer.byteLength(text.slice(end, end + width))
    if (bytes + size > maxBytes) break
    bytes += size
    end += width
  }
  return text.slice(0, end)
}

/** The longest end of `text` within `maxBytes` of UTF-8, whole characters only. */
function suffix(text, maxBytes) {
  let bytes = 0
  let start = text.length
  while (start > 0) {
    // A low surrogate after a high one is the second half of one character.
    const width = start >= 2 && isLow(text.charCodeAt(start - 1)) && isHigh(text.charCodeAt(start - 2)) ? 2 : 1
    const size = Buffer.byteLength(text.slice(start - width, start))
    if (bytes + size > maxBytes) break
    bytes += size
    start -= width
  }
  return text.slice(start)
}

/** How many UTF-16 units the character at `index` takes. */
function codePointWidth(text, index) {
  return isHigh(text.charCodeAt(index)) && isLow(text.charCodeAt(index + 1)) ? 2 : 1
}

function isHigh(unit) {
  return unit >= 0xd800 && unit <= 0xdbff
}

function isLow(unit) {
  return unit >= 0xdc00 && unit <= 0xdfff
}

module.exports = { formatOutputForModel }
