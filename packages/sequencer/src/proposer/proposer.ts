import { claimManagerAbi } from '@sluice/contracts'
import {
  bytesToBigint,
  bytesToHex,
  decodeRlp,
  encodeRlp,
  hexToBytes,
  proposalValue,
  type RollupConfig,
  SluiceError,
} from '@sluice/core'
import {
  type BatchRecord,
  type ChainStore,
  type Deployment,
  L1SendError,
  type L1Wallet,
  type Logger,
} from '@sluice/node'
import { Counter, Gauge, type Registry } from 'prom-client'
import { encodeFunctionData, type Hex, type PublicClient } from 'viem'

export type ProposerOptions = {
  chain: ChainStore
  config: RollupConfig
  deployment: Deployment
  publicClient: PublicClient
  wallet: L1Wallet
  logger: Logger
  registry: Registry
  /** Propose every k-th batch (batch indices divisible by k). */
  proposeEvery?: number
  /** Test-only fault: claim a wrong root. */
  badClaim?: boolean
  /** Test-only fault: claim the roots of its own unsafe chain instead of the derived ones. */
  claimUnsafeRoots?: boolean
}

const META_NEXT = 'proposer/next'
const META_PENDING = 'proposer/pending'

/** The claim could not be proposed; the proposer retries on its next round. */
export class ProposeError extends SluiceError {
  override name = 'ProposeError'
}

/**
 * Proposes a claim, with the bond, for each batch (or every k-th) once this node has **derived it
 * from L1** at `l1Confirmations` depth — the root comes from the derivation, never from the unsafe
 * chain. Never proposes a batch twice: the signed transaction is stored before it is sent and is
 * re-broadcast, byte for byte, after a restart.
 */
export class Proposer {
  private readonly options: ProposerOptions
  private next = 0n
  private pending: { batchIndex: bigint; raw: Hex; hash: Hex } | undefined
  private readonly proposed: Counter
  private readonly lastProposed: Gauge

  constructor(options: ProposerOptions) {
    this.options = options
    this.proposed = new Counter({
      name: 'sluice_proposer_claims_total',
      help: 'Claims proposed',
      registers: [options.registry],
    })
    this.lastProposed = new Gauge({
      name: 'sluice_proposer_last_batch',
      help: 'Batch index of the last claim proposed',
      registers: [options.registry],
    })
  }

  load(): void {
    const { chain } = this.options
    const next = chain.store.getSync(chain.metaKey(META_NEXT))
    this.next = next === undefined ? 0n : bytesToBigint(decodeRlp(next) as Uint8Array)
    const pending = chain.store.getSync(chain.metaKey(META_PENDING))
    if (pending !== undefined) {
      const [index, raw, hash] = decodeRlp(pending) as Uint8Array[]
      this.pending = {
        batchIndex: bytesToBigint(index as Uint8Array),
        raw: bytesToHex(raw as Uint8Array),
        hash: bytesToHex(hash as Uint8Array),
      }
    }
  }

  /** The next batch index this proposer will consider. */
  get nextBatch(): bigint {
    return this.next
  }

  async tick(): Promise<void> {
    try {
      await this.round()
    } catch (error) {
      throw error instanceof SluiceError ? error : new L1SendError('proposer round', error)
    }
  }

  private async round(): Promise<void> {
    const { chain, publicClient, config, logger } = this.options
    if (this.pending !== undefined) {
      const receipt = await publicClient.getTransactionReceipt({ hash: this.pending.hash }).catch(() => undefined)
      if (receipt === undefined) {
        // Not mined (or reorged out): re-broadcast the same signed bytes; they land at most once.
        await this.options.wallet.broadcast(this.pending.raw, 'propose (re-broadcast)').catch(() => undefined)
        return
      }
      const head = await publicClient.getBlockNumber()
      if (head - receipt.blockNumber + 1n < config.l1Confirmations) return
      if (receipt.status !== 'success') {
        logger.error(
          { batch: Number(this.pending.batchIndex), tx: this.pending.hash },
          'claim transaction reverted; not retrying this batch',
        )
      } else {
        this.proposed.inc()
        this.lastProposed.set(Number(this.pending.batchIndex))
        logger.info({ batch: Number(this.pending.batchIndex), tx: this.pending.hash }, 'claim confirmed')
      }
      this.pending = undefined
      await chain.store.batch([{ type: 'del', key: chain.metaKey(META_PENDING) }])
    }
    const every = BigInt(this.options.proposeEvery ?? 1)
    while (this.next < BigInt(chain.batchCount)) {
      const record = chain.batch(this.next) as BatchRecord
      if (record.index % every !== 0n) {
        this.next++
        continue
      }
      await this.propose(record)
      return
    }
  }

  private async propose(record: BatchRecord): Promise<void> {
    const { chain, config, deployment, wallet, logger } = this.options
    const unsafeRoot = this.options.claimUnsafeRoots
      ? chain.blockByNumber(record.lastBlock)?.header.stateRoot
      : undefined
    const stateRoot =
      unsafeRoot !== undefined
        ? bytesToHex(unsafeRoot)
        : this.options.badClaim
          ? bytesToHex(hexToBytes(`0x${'ba'.repeat(32)}`))
          : bytesToHex(record.stateRoot)
    const data = encodeFunctionData({
      abi: claimManagerAbi,
      functionName: 'propose',
      args: [record.index, bytesToHex(record.accumulator), stateRoot],
    })
    // Signed, stored, then sent: after a crash the same bytes are re-broadcast, never a second claim.
    const { raw, hash } = await wallet.sign(
      { to: deployment.claimManager, data, value: proposalValue(config), gas: 500_000n },
      `propose(${record.index})`,
    )
    this.pending = { batchIndex: record.index, raw, hash }
    this.next = record.index + 1n
    await chain.store.batch([
      {
        type: 'put',
        key: chain.metaKey(META_PENDING),
        value: encodeRlp([record.index, hexToBytes(raw), hexToBytes(hash)]),
      },
      { type: 'put', key: chain.metaKey(META_NEXT), value: encodeRlp(this.next) },
    ])
    await wallet.broadcast(raw, `propose(${record.index})`)
    logger.info(
      { batch: Number(record.index), stateRoot, messageCount: Number(record.messageCountAfter), tx: hash },
      'proposing claim',
    )
  }
}
