/**
 * A timeout that ends with the answer: it aborts the call if no answer (headers) came within
 * `timeoutMs`, and is cleared once one has, so a body read at a client's pace is never cut.
 * AbortSignal.timeout cannot be cleared, so a body read after it fires fails.
 */
export interface AnswerDeadline {
  signal: AbortSignal;
  /** Call once the answer is in (or the call is over): the timeout no longer applies. */
  answered(): void;
}

export function answerDeadline(timeoutMs: number, reason: () => unknown = () => new DOMException('The upstream did not answer in time.', 'TimeoutError')): AnswerDeadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(reason()), timeoutMs);
  return { signal: controller.signal, answered: () => clearTimeout(timer) };
}
