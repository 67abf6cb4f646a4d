// Package llm asks a language model for one answer over any OpenAI-compatible
// chat completions endpoint: OpenAI, Azure OpenAI's v1 API, Ollama, the
// llama.cpp server, vLLM. It is the only package of ours that imports
// go-openai.
//
// It takes a [Config] (endpoint, key, model, limits) and, per call, a
// [Request] (system and user prompt, the JSON schema of the answer and a
// check of the answer). [Client.Complete] hands on a [Response]: the answer's
// text, the tokens spent over every HTTP request the call made, and the
// structured-output mode the server accepted. Caching, pooling and prompt
// rendering live elsewhere (internal/cache, internal/review, prompts).
//
// What Complete copes with, so that callers need not:
//
//   - Structured output degrades: json_schema (strict) first, then
//     json_object, then plain text, when the server answers 400 or 422 to
//     the response_format. The mode that worked is remembered by the Client.
//   - Answers wrapped in prose or ```json fences: the first JSON object that
//     passes Request.Validate is taken ([ExtractJSON]). If none does, one
//     repair request quotes the parse error back to the model.
//   - Transient failures (429, 408, 409, 500, 502, 503, 504, connection
//     errors, a body cut off, a single attempt's timeout) are retried with
//     exponential backoff and full jitter, honouring Retry-After,
//     retry-after-ms and OpenAI's x-ratelimit-reset-* headers.
//   - A server that has never answered and fails to connect three attempts
//     in a row (refused, DNS, TLS) is not busy but unreachable:
//     [ErrUnreachable] is fatal, and the Client asks it nothing more.
//
// Errors a caller acts on wrap a sentinel: [ErrAuth], [ErrModel], [ErrQuota]
// and [ErrUnreachable] mean no later request can succeed either ([IsFatal]);
// [ErrBadAnswer], [ErrTruncated] and [ErrContextLength] fail one request.
// An HTTP error answer is a [*StatusError]. No error, and no formatting of a
// Config or Client, ever shows the API key.
package llm
