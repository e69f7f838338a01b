// Shared bench helpers: timing, interleaved rounds, ratio printing.
import { createRequire } from 'node:module'

/** The package under test, loaded the way a CommonJS consumer loads it. */
export const codex = createRequire(import.meta.url)('..')

/** Milliseconds since `start` (a bigint from process.hrtime.bigint()). */
export function since(start) {
  return Number(process.hrtime.bigint() - start) / 1e6
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Runs each alternative `rounds` times, interleaved (a, b, c, a, b, c…) so drift in machine load
 * hits all of them alike; returns the median of each alternative's measurements.
 * @param {Record<string, () => Promise<number>>} alternatives each returns one measurement
 */
export async function interleaved(alternatives, rounds) {
  const samples = Object.fromEntries(Object.keys(alternatives).map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const [name, measure] of Object.entries(alternatives)) samples[name].push(await measure())
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))
}

/** Mean ms per call of `count` sequential calls of `fn`. */
export async function perCall(fn, count) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < count; i++) await fn()
  return since(start) / count
}

/**
 * One line of the report: a measured value (a ratio unless `unit` says otherwise) against its
 * DESIGN.md §7 target.
 */
export function verdict(label, value, target, ok, unit = '×') {
  const result = { label, value, unit, target, ok }
  console.log(formatVerdict(result))
  return result
}

export function formatVerdict({ label, value, unit, target, ok }) {
  return `${label.padEnd(60)} ${value.toFixed(2).padStart(7)} ${unit.padEnd(3)}  target ${target.padEnd(9)} ${ok ? 'met' : 'MISSED'}`
}
