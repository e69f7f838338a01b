// A realistic Responses stream, generated deterministically: 1–3 token deltas, each padded with
// a 136–256 character `obfuscation` field, ≈ 433 bytes per event on the wire.

/** A small deterministic PRNG (mulberry32). */
function random(seed) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ['the', ' model', ' writes', ' code', ',', ' and', ' tests', ' it', '.', ' Then', ' runs', ' cargo', ' fmt', '\n', ' ok']
const PAD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * `deltas` delta events between `response.created` and `response.completed`, as SSE bytes.
 * @returns {{ bytes: Buffer, events: number }}
 */
export function responsePayload(deltas) {
  const next = random(42)
  const parts = []
  const emit = (event) => parts.push(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  const response = { id: 'resp_bench', object: 'response', created_at: 1764201600, status: 'in_progress', model: 'gpt-bench', output: [] }
  emit({ type: 'response.created', sequence_number: 0, response })
  let text = ''
  for (let i = 0; i < deltas; i++) {
    let delta = ''
    const tokens = 1 + Math.floor(next() * 3)
    for (let t = 0; t < tokens; t++) delta += WORDS[Math.floor(next() * WORDS.length)]
    text += delta
    const padLength = 136 + Math.floor(next() * 121)
    let obfuscation = ''
    for (let p = 0; p < padLength; p++) obfuscation += PAD[Math.floor(next() * PAD.length)]
    emit({
      type: 'response.output_text.delta',
      sequence_number: i + 1,
      item_id: 'msg_0123456789abcdef0123456789abcdef',
      output_index: 0,
      content_index: 0,
      delta,
      logprobs: [],
      obfuscation,
    })
  }
  emit({
    type: 'response.completed',
    sequence_number: deltas + 1,
    response: {
      ...response,
      status: 'completed',
      output: [{ type: 'message', id: 'msg_0123456789abcdef0123456789abcdef', role: 'assistant', content: [{ type: 'output_text', text: text.slice(0, 2000), annotations: [] }] }],
    },
  })
  return { bytes: Buffer.from(parts.join('')), events: deltas + 2 }
}
