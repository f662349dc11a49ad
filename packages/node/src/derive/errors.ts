import { SluiceError } from '@sluice/core'

/** A record under `derive/` does not decode: the data directory is corrupt. */
export class DerivationStoreCorruptError extends SluiceError {
  override name = 'DerivationStoreCorruptError'
  constructor(what: string, cause?: unknown) {
    super(`the derivation record ${what} does not decode`, {
      details: 'The data directory is corrupt. Stop the node, move the data directory away and resync from L1.',
      cause,
      severity: 'critical',
      code: 'DERIVE_STORE_CORRUPT',
    })
  }
}

/**
 * The next batch does not continue the derived tip (its delayed or message count before it differs
 * from the tip's): L1 changed under the derivation. Reconcile with the L1 reader and derive again.
 */
export class BatchContinuityError extends SluiceError {
  override name = 'BatchContinuityError'
  constructor(batchIndex: bigint, problem: string) {
    super(`batch ${batchIndex} does not continue the derived chain: ${problem}`, {
      details: 'The L1 records changed under the derivation (a reorg); the driver rewinds and derives again.',
      severity: 'reset',
      code: 'BATCH_CONTINUITY',
    })
  }
}

/** The genesis state root computed here differs from the config's `genesisStateRoot`. */
export class GenesisMismatchError extends SluiceError {
  override name = 'GenesisMismatchError'
  constructor(computed: string, configured: string) {
    super(`the genesis state root is ${computed} but the rollup config says ${configured}`, {
      details: 'The rollup config does not belong to this protocol version; use the deployment file deploy.ts wrote.',
      severity: 'critical',
      code: 'GENESIS_MISMATCH',
    })
  }
}

/** Derivation broke one of its own invariants (a bug, not bad input): stop rather than store it. */
export class DerivationInvariantError extends SluiceError {
  override name = 'DerivationInvariantError'
  constructor(message: string) {
    super(message, {
      details: 'This is a bug in Sluice derivation; report it with the batch index. Nothing of the batch was stored.',
      severity: 'critical',
      code: 'DERIVE_INVARIANT',
    })
  }
}

/** A derivation call was made while another one (derive or rewind) was running. */
export class DerivationBusyError extends SluiceError {
  override name = 'DerivationBusyError'
  constructor() {
    super('the derivation driver is already deriving or rewinding', {
      details: 'Call it from one loop only, and await each call before the next.',
      severity: 'critical',
      code: 'DERIVE_BUSY',
    })
  }
}
