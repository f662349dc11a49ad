import { MAX_BLOBS_PER_BATCH } from '@sluice/core'
import {
  type CommonNodeOptions,
  commonNodeOptionSpecs,
  commonNodeOptions,
  NodeConfigError,
  type OptionSpec,
  parseFaults,
  parseOptions,
} from '@sluice/node'
import { DATA_AVAILABILITY_MODES, type DataAvailabilityMode } from './batcher/dataAvailability.ts'

export const SEQUENCER_FAULTS = ['bad-claim', 'apply-invalid-tx', 'skip-deposit'] as const
export type SequencerFault = (typeof SEQUENCER_FAULTS)[number]

/** Every option of `sluice-sequencer` (flag, environment, config file). */
export const SEQUENCER_OPTIONS: readonly OptionSpec[] = [
  ...commonNodeOptionSpecs({ rpcPort: 9545, p2pPort: 9645, l1PollInterval: 500, faults: SEQUENCER_FAULTS }),
  {
    name: 'sequencerKey',
    flag: 'sequencer-key',
    env: 'SLUICE_SEQUENCER_KEY',
    kind: 'privateKey',
    required: true,
    secret: true,
    help: "the sequencer's private key (its address is the config's sequencer)",
  },
  {
    name: 'proposerKey',
    flag: 'proposer-key',
    env: 'SLUICE_PROPOSER_KEY',
    kind: 'privateKey',
    secret: true,
    help: 'key that proposes claims and pays their bonds (default: the sequencer key)',
  },
  {
    name: 'blockTime',
    flag: 'block-time',
    env: 'SLUICE_BLOCK_TIME',
    kind: 'integer',
    default: 250,
    help: 'milliseconds between blocks',
  },
  {
    name: 'emptyBlockInterval',
    flag: 'empty-block-interval',
    env: 'SLUICE_EMPTY_BLOCK_INTERVAL',
    kind: 'integer',
    default: 1000,
    help: 'seal an empty block when none was sealed for this many milliseconds',
  },
  {
    name: 'batchAge',
    flag: 'batch-age',
    env: 'SLUICE_BATCH_AGE',
    kind: 'integer',
    default: 2000,
    help: 'post a batch once its oldest block is this many milliseconds old',
  },
  {
    name: 'da',
    flag: 'da',
    env: 'SLUICE_DA',
    kind: 'string',
    default: 'auto',
    help: 'where batches go on L1: blobs (EIP-4844), calldata, or auto (blobs when they cost less for the batch; calldata when the L1 has no blobs)',
  },
  {
    name: 'maxBlobs',
    flag: 'max-blobs',
    env: 'SLUICE_MAX_BLOBS',
    kind: 'integer',
    default: MAX_BLOBS_PER_BATCH,
    help: `blobs per batch transaction at most (1 … ${MAX_BLOBS_PER_BATCH}); blocks are sized to fit one such batch`,
  },
  {
    name: 'maxSafeLag',
    flag: 'max-safe-lag',
    env: 'SLUICE_MAX_SAFE_LAG',
    kind: 'integer',
    // A healthy safe head trails by the batch age, the batch's L1 inclusion and l1Confirmations L1
    // blocks: ~5 s on the bench's devnet (1 s L1 blocks, 1 confirmation), ~2.5 min on a 12 s L1 at
    // 10 confirmations (1,500 blocks at 100 ms). 1,800 blocks (3 min at 100 ms, 7.5 min at 250 ms)
    // leaves both alone and stops a batcher that cannot keep up from piling up unposted blocks.
    default: 1_800,
    help: 'stop taking transactions while the unsafe head is this many blocks past the safe head (the batcher is behind or L1 is stalled); 0: never. Raise it with deep l1Confirmations (the safe head then trails by their L1 time)',
  },
  {
    name: 'proposeEvery',
    flag: 'propose-every',
    env: 'SLUICE_PROPOSE_EVERY',
    kind: 'integer',
    default: 1,
    help: 'propose a claim for every k-th batch (0: never)',
  },
  {
    name: 'txpoolMaxExecutable',
    flag: 'txpool-max-executable',
    env: 'SLUICE_TXPOOL_MAX_EXECUTABLE',
    kind: 'integer',
    default: 100_000,
    help: 'executable transactions the mempool holds; when full, a better tip evicts the cheapest sender tail',
  },
  {
    name: 'txpoolMaxQueued',
    flag: 'txpool-max-queued',
    env: 'SLUICE_TXPOOL_MAX_QUEUED',
    kind: 'integer',
    default: 16_384,
    help: 'non-executable (nonce-gapped) transactions the mempool holds, a budget apart from executable ones (geth: GlobalQueue, sized here for thousands of transactions a second)',
  },
  {
    name: 'txpoolMaxQueuedPerSender',
    flag: 'txpool-max-queued-per-sender',
    env: 'SLUICE_TXPOOL_MAX_QUEUED_PER_SENDER',
    kind: 'integer',
    default: 16,
    help: 'non-executable transactions one sender may hold (geth: AccountQueue)',
  },
  {
    name: 'txpoolMaxPerSender',
    flag: 'txpool-max-per-sender',
    env: 'SLUICE_TXPOOL_MAX_PER_SENDER',
    kind: 'integer',
    default: 64,
    help: 'transactions one sender may hold, executable or not; also how far ahead of its pending nonce it may send',
  },
  {
    name: 'txpoolLifetime',
    flag: 'txpool-lifetime',
    env: 'SLUICE_TXPOOL_LIFETIME',
    kind: 'integer',
    default: 3 * 60 * 60,
    help: 'seconds a non-executable transaction may wait for its missing nonce before it is dropped as expired',
  },
]

/** The mempool's limits from the `txpool-*` options. */
export type TxPoolOptions = {
  maxExecutable: number
  maxQueued: number
  maxQueuedPerSender: number
  maxPerSender: number
  lifetimeSeconds: number
}

export type SequencerOptions = CommonNodeOptions & {
  sequencerKey: `0x${string}`
  proposerKey: `0x${string}`
  blockTime: number
  emptyBlockInterval: number
  batchAge: number
  /** Where batches go on L1. */
  da: DataAvailabilityMode
  /** Blobs per blob batch at most. */
  maxBlobs: number
  /** Blocks the unsafe head may run ahead of the safe head before blocks take no transactions (0: unbounded). */
  maxSafeLag: number
  proposeEvery: number
  txpool: TxPoolOptions
  faults: SequencerFault[]
}

export function parseSequencerOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): SequencerOptions {
  const o = parseOptions(SEQUENCER_OPTIONS, argv, env)
  const da = o.da as string
  if (!(DATA_AVAILABILITY_MODES as readonly string[]).includes(da)) {
    throw new NodeConfigError('--da', `"${da}" is not one of ${DATA_AVAILABILITY_MODES.join(', ')}`)
  }
  const maxBlobs = o.maxBlobs as number
  if (maxBlobs < 1 || maxBlobs > MAX_BLOBS_PER_BATCH) {
    throw new NodeConfigError(
      '--max-blobs',
      `${maxBlobs} is outside 1 … ${MAX_BLOBS_PER_BATCH}`,
      'The inbox refuses a batch with more blobs than the protocol allows (EIP-7594 caps a transaction at 6).',
    )
  }
  return {
    ...commonNodeOptions(o),
    sequencerKey: o.sequencerKey as `0x${string}`,
    proposerKey: (o.proposerKey ?? o.sequencerKey) as `0x${string}`,
    blockTime: o.blockTime as number,
    emptyBlockInterval: o.emptyBlockInterval as number,
    batchAge: o.batchAge as number,
    da: da as DataAvailabilityMode,
    maxBlobs,
    maxSafeLag: o.maxSafeLag as number,
    proposeEvery: o.proposeEvery as number,
    txpool: {
      maxExecutable: o.txpoolMaxExecutable as number,
      maxQueued: o.txpoolMaxQueued as number,
      maxQueuedPerSender: o.txpoolMaxQueuedPerSender as number,
      maxPerSender: o.txpoolMaxPerSender as number,
      lifetimeSeconds: o.txpoolLifetime as number,
    },
    faults: parseFaults(o, SEQUENCER_FAULTS),
  }
}
