/**
 * How a node loop reacts to an error. Chosen where the error is raised, never inferred from text:
 * - `temporary`: retry later (an RPC timeout, an L1 node that is behind);
 * - `reset`: the view of L1 is stale (a reorg was detected); rewind to a known-good L1 block;
 * - `critical`: stop; continuing would be wrong (a corrupt database, a config mismatch).
 * `invalidInput` marks input refused at a boundary (RPC, p2p, CLI); the node keeps serving.
 */
export type ErrorSeverity = 'temporary' | 'reset' | 'critical' | 'invalidInput'

export type SluiceErrorParameters = {
  /** Extra lines that explain the error; printed after the short message. */
  details?: string | undefined
  /** The error that caused this one. */
  cause?: unknown
  severity?: ErrorSeverity | undefined
  /** Machine-readable code for RPC answers and logs; defaults to the error's name. */
  code?: string | undefined
}

/** The base of every error Sluice raises: a name, a short message that says what to do, a severity. */
export class SluiceError extends Error {
  override name = 'SluiceError'
  readonly shortMessage: string
  readonly details: string | undefined
  readonly severity: ErrorSeverity
  readonly code: string | undefined

  constructor(shortMessage: string, parameters: SluiceErrorParameters = {}) {
    const message = parameters.details ? `${shortMessage}\n\nDetails: ${parameters.details}` : shortMessage
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause })
    this.shortMessage = shortMessage
    this.details = parameters.details
    this.severity = parameters.severity ?? 'critical'
    this.code = parameters.code
  }

  /** Walks the cause chain; returns the first error `predicate` accepts, or the last one. */
  walk(predicate?: (error: unknown) => boolean): unknown {
    let current: unknown = this
    while (current instanceof Error) {
      if (predicate?.(current)) return current
      if (current.cause === undefined) return predicate ? undefined : current
      current = current.cause
    }
    return predicate ? undefined : current
  }
}
