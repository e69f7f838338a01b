// A consumer's TypeScript, checked with `tsc --noEmit` against index.d.ts: the public types
// resolve through the package's exports map and describe the API as it is used.
import { createReadStream } from 'node:fs'

import {
  CodexError,
  CodexIoError,
  ExecError,
  type ExecResult,
  InterruptedError,
  type ResponseEvent,
  ResponsesClient,
  RetryLimitError,
  SandboxDeniedError,
  type SandboxSupport,
  TimeoutError,
  exec,
  formatOutputForModel,
  sandboxSupport,
} from 'codex-native'

export async function runTests(signal: AbortSignal): Promise<number | null> {
  const result: ExecResult = await exec(['cargo', 'test'], {
    cwd: '/work',
    timeoutMs: null,
    sandbox: { mode: 'workspace-write', writableRoots: ['/data'], networkAccess: false },
    signal,
    reject: false,
    stdin: Buffer.from('input'),
    onOutput: ({ stream, data }) => process[stream].write(data),
  })
  if (result.signal === 'SIGSEGV' || result.sandbox.kind === 'linux') return null
  return result.exitCode
}

// An agent's tool call: every outcome becomes text for the model, typed all the way.
export async function runForModel(argv: string[], workdir: string): Promise<string> {
  try {
    const result = await exec(argv, {
      cwd: workdir,
      env: { GIT_PAGER: 'cat' },
      inheritEnv: 'filtered',
      timeoutMs: 0,
      sandbox: { mode: 'workspace-write', workspaceRoot: '/work/repo' },
      stdin: new Uint16Array([0x6968]),
    })
    return formatOutputForModel(result, { maxBytes: 8192, maxLines: 200 })
  } catch (error) {
    // Narrows to the errors that carry a result: no cast, no optional chaining.
    if (error instanceof ExecError) return formatOutputForModel(error.result)
    if (error instanceof CodexIoError) return `${error.code} ${error.syscall} ${error.path ?? ''}`
    throw error
  }
}

// stdin streamed: a Readable is an AsyncIterable, and so is an async generator of chunks.
export async function streamIn(path: string): Promise<string> {
  const fromFile = await exec(['sha256sum'], { stdin: createReadStream(path) })
  async function* lines(): AsyncGenerator<string | Uint8Array> {
    yield 'first\n'
    yield new TextEncoder().encode('second\n')
  }
  const fromGenerator = await exec(['cat'], { stdin: lines(), timeoutMs: 500 })
  const fromStdin = await exec(['wc', '-l'], { stdin: process.stdin })
  // @ts-expect-error -- a sync iterable (an Array of chunks) is refused: Readable.from() it.
  await exec(['cat'], { stdin: ['a', 'b'] })
  return fromFile.stdout + fromGenerator.stdout + fromStdin.stdout
}

export async function neverRejectsForTheCommand(argv: string[]): Promise<string> {
  const result = await exec(argv, { reject: false })
  const why: CodexIoError | InterruptedError | null = result.startError
  return why === null ? formatOutputForModel(result) : why.message
}

export async function explain(error: unknown): Promise<string> {
  if (error instanceof SandboxDeniedError) return `${error.exitCode} ${error.stderr} ${error.result.stdout}`
  if (error instanceof TimeoutError) return `${error.timeoutMs} ${error.result.aggregatedOutput}`
  if (error instanceof RetryLimitError) return `${error.status ?? 'no response'} ${error.apiError?.code ?? ''}`
  if (error instanceof InterruptedError) return error.name
  if (error instanceof CodexError) return error.code
  const support: SandboxSupport = await sandboxSupport()
  return support.problems.join('\n')
}

export async function stream(prompt: string): Promise<string> {
  const client = new ResponsesClient({ maxRetries: 2, onRetry: ({ attempt, status }) => console.error(attempt, status) })
  let text = ''
  for await (const event of client.stream({ model: 'gpt-5', input: prompt })) {
    const typed: ResponseEvent = event
    if (typed.type === 'response.output_text.delta') {
      // Narrowed: `delta` is a string, not `unknown`.
      process.stdout.write(typed.delta)
      text += typed.delta
    }
  }
  const created = await client.create({ model: 'gpt-5', input: prompt })
  console.log(created.requestId, created.status, created.headers['content-type'])
  created.close()
  return text
}

/** What a CLI does with each event: every listed type narrows to its own fields. */
export function handle(event: ResponseEvent, calls: Map<string, string>): string | null {
  switch (event.type) {
    case 'response.created':
    case 'response.in_progress':
      return event.response.id
    case 'response.output_item.added':
    case 'response.output_item.done':
      if (event.item.type === 'function_call') return `${event.item.name}(${event.item.arguments}) #${event.item.call_id}`
      if (event.item.type === 'message') return event.item.content.map((part) => (part.type === 'output_text' ? part.text : part.refusal)).join('')
      if (event.item.type === 'reasoning') return event.item.summary.map((part) => part.text).join('\n')
      return event.item.type
    case 'response.content_part.added':
    case 'response.content_part.done':
      return event.part.type === 'refusal' ? event.part.refusal : event.part.text
    case 'response.output_text.delta':
    case 'response.reasoning_summary_text.delta':
      return event.delta
    case 'response.output_text.done':
    case 'response.reasoning_summary_text.done':
      return event.text
    case 'response.function_call_arguments.delta':
      calls.set(event.item_id, (calls.get(event.item_id) ?? '') + event.delta)
      return null
    case 'response.function_call_arguments.done':
      return `${event.name}: ${JSON.parse(event.arguments) as unknown}`
    case 'response.reasoning_summary_part.added':
    case 'response.reasoning_summary_part.done':
      return `${event.summary_index}: ${event.part.text}`
    case 'response.completed':
    case 'response.incomplete': {
      const usage = event.response.usage
      return `${event.response.status} ${event.response.output.length} items, ${usage?.total_tokens ?? 0} tokens, ${event.response.incomplete_details?.reason ?? ''}`
    }
    case 'response.failed':
      return event.response.error?.message ?? null
    case 'error':
      return `${event.code}: ${event.message}`
    case 'response.refusal.delta':
      // Listed but not typed field by field: its fields are `unknown`.
      return typeof event.delta === 'string' ? event.delta : null
    default:
      // Any other type, including ones the API adds later.
      return event.type
  }
}

export function unnarrowed(event: ResponseEvent): unknown {
  // @ts-expect-error -- `delta` is no field of every event: narrow on `type` first.
  const delta: string = event.delta
  // A type not listed yet is compared as a string.
  if ((event.type as string) === 'response.some_future_event') return event
  return delta
}
