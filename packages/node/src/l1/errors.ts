import { SluiceError } from '@sluice/core'

/** An L1 RPC call kept failing after its retries (network, rate limit, node behind). Retry later. */
export class L1RpcError extends SluiceError {
  override name = 'L1RpcError'
  constructor(what: string, attempts: number, cause: unknown) {
    super(`L1 RPC call ${what} failed ${attempts} times`, {
      details: `Last error: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}. Check the L1 RPC URL and the node's health; the reader retries on its next step.`,
      cause,
      severity: 'temporary',
      code: 'L1_RPC_FAILED',
    })
  }
}

/**
 * L1 answered something that contradicts itself or what the reader already holds (a gap in the
 * event indices, a log whose block is not the canonical one, a count that disagrees with the
 * contract). Usually an L1 node mid-reorg or a load balancer mixing nodes: retry the step.
 */
export class L1InconsistencyError extends SluiceError {
  override name = 'L1InconsistencyError'
  constructor(message: string, details?: string) {
    super(message, {
      details:
        details ?? 'The step stored nothing; it is retried. If it persists, the L1 RPC is serving a broken view.',
      severity: 'temporary',
      code: 'L1_INCONSISTENT',
    })
  }
}

/**
 * The bytes of an inbox batch cannot be recovered from its L1 transaction, or they do not hash to
 * the `BatchAppended` event's batch hash. Derivation cannot continue past this batch: the L1 RPC is
 * lying or the inbox contract is not the one the deployment names.
 */
export class BatchDataError extends SluiceError {
  override name = 'BatchDataError'
  constructor(batchIndex: bigint, problem: string, transactionHash: string) {
    super(`batch ${batchIndex}: ${problem}`, {
      details: `L1 transaction ${transactionHash}. Check that the L1 RPC serves full transactions and that the deployment file names the right SequencerInbox.`,
      severity: 'critical',
      code: 'BATCH_DATA',
    })
  }
}

/** A delayed message from a Portal event does not hash to what the Portal stores for its index. */
export class DelayedMessageMismatchError extends SluiceError {
  override name = 'DelayedMessageMismatchError'
  constructor(index: bigint, computed: string, onChain: string) {
    super(`delayed message ${index} hashes to ${computed} but the Portal stores ${onChain}`, {
      details: 'The L1 RPC served a wrong event or the Portal is not the one of this deployment.',
      severity: 'critical',
      code: 'DELAYED_MESSAGE_MISMATCH',
    })
  }
}

/** A record under the reader's key prefix does not decode: the data directory is corrupt. */
export class L1StoreCorruptError extends SluiceError {
  override name = 'L1StoreCorruptError'
  constructor(what: string, cause?: unknown) {
    super(`the L1 reader's record ${what} does not decode`, {
      details: 'The data directory is corrupt. Stop the node, move the data directory away and resync from L1.',
      cause,
      severity: 'critical',
      code: 'L1_STORE_CORRUPT',
    })
  }
}
