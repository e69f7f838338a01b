/**
 * The events of a Responses API stream, as `ResponsesClient` yields them: each SSE `data:` parsed,
 * exactly as the server sent it (the objects the `openai` SDK's `ResponseStreamEvent` describes).
 *
 * {@link ResponseEvent} is a union discriminated by `type`: narrowing on it gives each event's
 * fields. The events a CLI acts on are typed field by field; the other documented ones are listed
 * with loose fields; an event of a type the API adds later is an {@link UnlistedResponseEvent},
 * typed so that it never widens a narrowing on a listed type.
 */

/**
 * The `type` of an event (or output item) this file does not list: a pattern no listed type
 * matches, so that `if (event.type === 'response.output_text.delta')` narrows to that event
 * alone. To handle a type that is not listed yet, compare `event.type as string`.
 */
export type UnlistedType = `${string} (unlisted)`

/** The fields every stream event has. */
interface StreamEvent<T extends string> {
  type: T
  /** The event's position in the stream, from 0. */
  sequence_number: number
}

// ---------------------------------------------------------------------------------------------
// The response and its output
// ---------------------------------------------------------------------------------------------

/** Tokens used by a response. */
export interface ResponseUsage {
  input_tokens: number
  input_tokens_details: { cached_tokens: number; [field: string]: unknown }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number; [field: string]: unknown }
  total_tokens: number
}

/** The response object carried by the lifecycle events (`response.created` … `response.failed`). */
export interface Response {
  id: string
  object: 'response'
  /** Unix time (seconds) the response was created. */
  created_at: number
  status?: 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete'
  model: string
  /** The output items; complete on `response.completed`. */
  output: ResponseOutputItem[]
  /** Set once the response is over. */
  usage?: ResponseUsage | null
  /** Why the response failed (`response.failed`). */
  error?: { code: string; message: string } | null
  /** Why the response is incomplete (`response.incomplete`). */
  incomplete_details?: { reason?: 'max_output_tokens' | 'content_filter' } | null
  [field: string]: unknown
}

/** Text the model wrote, in a message. */
export interface ResponseOutputText {
  type: 'output_text'
  text: string
  annotations: unknown[]
  logprobs?: ResponseLogprob[]
}

/** The model's refusal, in a message. */
export interface ResponseOutputRefusal {
  type: 'refusal'
  refusal: string
}

/** The reasoning text of a reasoning item. */
export interface ResponseReasoningText {
  type: 'reasoning_text'
  text: string
}

/** A part of a message's (or a reasoning item's) content. */
export type ResponseContentPart = ResponseOutputText | ResponseOutputRefusal | ResponseReasoningText

/** A message from the model. */
export interface ResponseOutputMessage {
  type: 'message'
  id: string
  role: 'assistant'
  status: 'in_progress' | 'completed' | 'incomplete'
  content: Array<ResponseOutputText | ResponseOutputRefusal>
}

/** A call of one of the request's function tools; `arguments` is JSON text. */
export interface ResponseFunctionToolCall {
  type: 'function_call'
  id?: string
  /** The id to answer the call with (`function_call_output`). */
  call_id: string
  name: string
  arguments: string
  status?: 'in_progress' | 'completed' | 'incomplete'
}

/** The model's reasoning: a summary, and the encrypted content to send back when asked for. */
export interface ResponseReasoningItem {
  type: 'reasoning'
  id: string
  summary: Array<{ type: 'summary_text'; text: string }>
  content?: ResponseReasoningText[]
  encrypted_content?: string | null
  status?: 'in_progress' | 'completed' | 'incomplete'
}

/** The documented output item types not typed field by field above. */
export type OtherListedItemType =
  | 'file_search_call'
  | 'function_call_output'
  | 'web_search_call'
  | 'computer_call'
  | 'computer_call_output'
  | 'image_generation_call'
  | 'code_interpreter_call'
  | 'local_shell_call'
  | 'local_shell_call_output'
  | 'shell_call'
  | 'shell_call_output'
  | 'apply_patch_call'
  | 'apply_patch_call_output'
  | 'mcp_call'
  | 'mcp_list_tools'
  | 'mcp_approval_request'
  | 'mcp_approval_response'
  | 'custom_tool_call'
  | 'compaction'

/** An output item of a documented type not typed field by field here. */
export type OtherListedOutputItem = {
  [T in OtherListedItemType]: { type: T; id?: string; [field: string]: unknown }
}[OtherListedItemType]

/** An output item of a type not listed here. */
export interface UnlistedOutputItem {
  type: UnlistedType
  [field: string]: unknown
}

/** One item of a response's output. */
export type ResponseOutputItem =
  | ResponseOutputMessage
  | ResponseFunctionToolCall
  | ResponseReasoningItem
  | OtherListedOutputItem
  | UnlistedOutputItem

/** The log probability of one token. */
export interface ResponseLogprob {
  token: string
  logprob: number
  top_logprobs?: Array<{ token: string; logprob: number }>
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/** The response was created: the first event of every stream. */
export interface ResponseCreatedEvent extends StreamEvent<'response.created'> {
  response: Response
}

/** The response is being generated. */
export interface ResponseInProgressEvent extends StreamEvent<'response.in_progress'> {
  response: Response
}

/** The response is complete: the last event; `response.output` holds every item. */
export interface ResponseCompletedEvent extends StreamEvent<'response.completed'> {
  response: Response
}

/** The response ended early (`response.incomplete_details` says why): the last event. */
export interface ResponseIncompleteEvent extends StreamEvent<'response.incomplete'> {
  response: Response
}

/**
 * The response failed. The client ends the stream with a `ResponseFailedError` instead of
 * yielding it; it is listed for code that reads streams of its own.
 */
export interface ResponseFailedEvent extends StreamEvent<'response.failed'> {
  response: Response
}

/**
 * An error. The client ends the stream with a `ResponseFailedError` instead of yielding it; it
 * is listed for code that reads streams of its own.
 */
export interface ResponseErrorEvent extends StreamEvent<'error'> {
  code: string | null
  message: string
  param: string | null
}

// ---------------------------------------------------------------------------------------------
// Output items and content parts
// ---------------------------------------------------------------------------------------------

/** An output item was added (it is complete only in `response.output_item.done`). */
export interface ResponseOutputItemAddedEvent extends StreamEvent<'response.output_item.added'> {
  output_index: number
  item: ResponseOutputItem
}

/** An output item is complete. */
export interface ResponseOutputItemDoneEvent extends StreamEvent<'response.output_item.done'> {
  output_index: number
  item: ResponseOutputItem
}

/** A content part was added to a message. */
export interface ResponseContentPartAddedEvent extends StreamEvent<'response.content_part.added'> {
  item_id: string
  output_index: number
  content_index: number
  part: ResponseContentPart
}

/** A content part of a message is complete. */
export interface ResponseContentPartDoneEvent extends StreamEvent<'response.content_part.done'> {
  item_id: string
  output_index: number
  content_index: number
  part: ResponseContentPart
}

// ---------------------------------------------------------------------------------------------
// Text, function calls, reasoning summaries
// ---------------------------------------------------------------------------------------------

/** More text of a message: append `delta`. */
export interface ResponseTextDeltaEvent extends StreamEvent<'response.output_text.delta'> {
  item_id: string
  output_index: number
  content_index: number
  /** The text to append. */
  delta: string
  logprobs?: ResponseLogprob[]
  /** Padding against length side channels; ignore it. */
  obfuscation?: string
}

/** A message's text is complete. */
export interface ResponseTextDoneEvent extends StreamEvent<'response.output_text.done'> {
  item_id: string
  output_index: number
  content_index: number
  /** The whole text. */
  text: string
  logprobs?: ResponseLogprob[]
}

/** More of a function call's arguments (JSON text): append `delta`. */
export interface ResponseFunctionCallArgumentsDeltaEvent
  extends StreamEvent<'response.function_call_arguments.delta'> {
  item_id: string
  output_index: number
  /** The arguments text to append. */
  delta: string
  obfuscation?: string
}

/** A function call's arguments are complete. */
export interface ResponseFunctionCallArgumentsDoneEvent
  extends StreamEvent<'response.function_call_arguments.done'> {
  item_id: string
  output_index: number
  /** The function's name. */
  name: string
  /** The whole arguments, JSON text. */
  arguments: string
}

/** A part was added to a reasoning summary. */
export interface ResponseReasoningSummaryPartAddedEvent
  extends StreamEvent<'response.reasoning_summary_part.added'> {
  item_id: string
  output_index: number
  summary_index: number
  part: { type: 'summary_text'; text: string }
}

/** A part of a reasoning summary is complete. */
export interface ResponseReasoningSummaryPartDoneEvent
  extends StreamEvent<'response.reasoning_summary_part.done'> {
  item_id: string
  output_index: number
  summary_index: number
  part: { type: 'summary_text'; text: string }
}

/** More text of a reasoning summary: append `delta`. */
export interface ResponseReasoningSummaryTextDeltaEvent
  extends StreamEvent<'response.reasoning_summary_text.delta'> {
  item_id: string
  output_index: number
  summary_index: number
  /** The text to append. */
  delta: string
  obfuscation?: string
}

/** A reasoning summary's text is complete. */
export interface ResponseReasoningSummaryTextDoneEvent
  extends StreamEvent<'response.reasoning_summary_text.done'> {
  item_id: string
  output_index: number
  summary_index: number
  /** The whole text. */
  text: string
}

// ---------------------------------------------------------------------------------------------
// The rest
// ---------------------------------------------------------------------------------------------

/** The documented event types not typed field by field above. */
export type OtherListedEventType =
  | 'response.queued'
  | 'response.refusal.delta'
  | 'response.refusal.done'
  | 'response.output_text.annotation.added'
  | 'response.reasoning_text.delta'
  | 'response.reasoning_text.done'
  | 'response.audio.delta'
  | 'response.audio.done'
  | 'response.audio.transcript.delta'
  | 'response.audio.transcript.done'
  | 'response.web_search_call.in_progress'
  | 'response.web_search_call.searching'
  | 'response.web_search_call.completed'
  | 'response.file_search_call.in_progress'
  | 'response.file_search_call.searching'
  | 'response.file_search_call.completed'
  | 'response.code_interpreter_call.in_progress'
  | 'response.code_interpreter_call.interpreting'
  | 'response.code_interpreter_call.completed'
  | 'response.code_interpreter_call_code.delta'
  | 'response.code_interpreter_call_code.done'
  | 'response.image_generation_call.in_progress'
  | 'response.image_generation_call.generating'
  | 'response.image_generation_call.partial_image'
  | 'response.image_generation_call.completed'
  | 'response.mcp_call.in_progress'
  | 'response.mcp_call.completed'
  | 'response.mcp_call.failed'
  | 'response.mcp_call_arguments.delta'
  | 'response.mcp_call_arguments.done'
  | 'response.mcp_list_tools.in_progress'
  | 'response.mcp_list_tools.completed'
  | 'response.mcp_list_tools.failed'
  | 'response.custom_tool_call_input.delta'
  | 'response.custom_tool_call_input.done'

/** An event of a documented type not typed field by field here. */
export type OtherListedResponseEvent = {
  [T in OtherListedEventType]: StreamEvent<T> & { [field: string]: unknown }
}[OtherListedEventType]

/** An event of a type not listed here (one the API added later). */
export interface UnlistedResponseEvent {
  type: UnlistedType
  [field: string]: unknown
}

/** One event of a response stream, discriminated by `type`. */
export type ResponseEvent =
  | ResponseCreatedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent
  | ResponseErrorEvent
  | ResponseOutputItemAddedEvent
  | ResponseOutputItemDoneEvent
  | ResponseContentPartAddedEvent
  | ResponseContentPartDoneEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseReasoningSummaryPartAddedEvent
  | ResponseReasoningSummaryPartDoneEvent
  | ResponseReasoningSummaryTextDeltaEvent
  | ResponseReasoningSummaryTextDoneEvent
  | OtherListedResponseEvent
  | UnlistedResponseEvent
