import {
  type ChainStore,
  type ClaimCheck,
  type ClaimRecord,
  checkClaim,
  type L1Reader,
  type Logger,
} from '@sluice/node'
import { Gauge, type Registry } from 'prom-client'

/**
 * What acts on a claim this node found wrong: the dispute agent (fraud-proof issue) plugs in here.
 * Called once per claim and verdict change.
 */
export interface InvalidClaimHandler {
  onInvalidClaim(check: ClaimCheck): void | Promise<void>
}

/**
 * Compares every claim on L1 with this node's own derived root at the claim's batch and exposes the
 * verdict (`valid`, `invalid`, `not yet derived`) in metrics and over RPC; logs loudly on a mismatch.
 */
export class ClaimChecker {
  private readonly chain: ChainStore
  private readonly reader: L1Reader
  private readonly logger: Logger
  private readonly handler: InvalidClaimHandler | undefined
  private readonly verdicts = new Map<bigint, ClaimCheck['verdict']>()
  private readonly gauge: Gauge<'verdict'>

  constructor(options: {
    chain: ChainStore
    reader: L1Reader
    logger: Logger
    registry: Registry
    handler?: InvalidClaimHandler
  }) {
    this.chain = options.chain
    this.reader = options.reader
    this.logger = options.logger
    this.handler = options.handler
    this.gauge = new Gauge({
      name: 'sluice_claims',
      help: 'Claims on L1 by this node’s verdict (deleted claims excluded)',
      labelNames: ['verdict'],
      registers: [options.registry],
    })
  }

  /** Re-checks every live claim; returns the checks. */
  async check(): Promise<ClaimCheck[]> {
    const counts = { valid: 0, invalid: 0, 'not yet derived': 0 }
    const checks: ClaimCheck[] = []
    for (const claim of this.reader.claims()) {
      if (claim.status === 'deleted') continue
      const check = checkClaim(this.chain, claim)
      checks.push(check)
      counts[check.verdict]++
      if (this.verdicts.get(claim.claimId) === check.verdict) continue
      this.verdicts.set(claim.claimId, check.verdict)
      if (check.verdict === 'invalid') {
        this.logger.error(
          {
            claimId: Number(claim.claimId),
            batch: Number(claim.batchIndex),
            claimed: claim.stateRoot,
            derived: check.derivedRoot,
            proposer: claim.proposer,
          },
          'INVALID CLAIM: its state root differs from the root derived from L1',
        )
        await this.handler?.onInvalidClaim(check)
      } else if (check.verdict === 'valid') {
        this.logger.info({ claimId: Number(claim.claimId), batch: Number(claim.batchIndex) }, 'claim checked: valid')
      }
    }
    for (const [verdict, count] of Object.entries(counts)) this.gauge.set({ verdict }, count)
    return checks
  }

  verdict(claimId: bigint): ClaimCheck['verdict'] | undefined {
    return this.verdicts.get(claimId)
  }
}

export type { ClaimRecord }
