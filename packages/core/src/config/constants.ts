import { hexToBytes } from '../bytes/index.ts'

/** The one predeploy: its storage holds withdrawal hashes, its nonce counts withdrawals (protocol.md §3.4). */
export const MESSAGE_PASSER_ADDRESS = '0x5100000000000000000000000000000000000000' as const
export const MESSAGE_PASSER = hexToBytes(MESSAGE_PASSER_ADDRESS)

/** Delayed message kinds (protocol.md §4.1). */
export const DELAYED_KIND_DEPOSIT = 0
export const DELAYED_KIND_FORCED_TX = 1

/** Gas (protocol.md §7.3): EIP-2028 calldata pricing, no EIP-7623 floor. */
export const TX_BASE_GAS = 21_000n
export const TX_DATA_ZERO_GAS = 4n
export const TX_DATA_NONZERO_GAS = 16n

export const MAX_NONCE = 2n ** 64n - 1n
export const MAX_UINT256 = 2n ** 256n - 1n

/**
 * The largest `maxBatchBytes` a rollup config may set (protocol.md §8.4): the largest batch whose worst
 * one-step proof — the disputed withdrawal its last slot, four proofs of 16 full branch levels each —
 * still fits in one 131,072-byte L1 transaction. The L1 contracts refuse larger configs too.
 */
export const MAX_BATCH_BYTES_LIMIT = 90_000n

/** Basis points in one whole: `bondBurnBps` may be at most this (protocol.md §2). */
export const BPS = 10_000n

/** The smallest `bondBurnBps` (protocol.md §2): losing to oneself burns at least a tenth of the bond. */
export const MIN_BOND_BURN_BPS = 1_000n

/** The largest `proposerBond` and `challengerBond` (protocol.md §2): bond arithmetic never overflows. */
export const MAX_BOND = 2n ** 128n

/**
 * The largest duration a config may set (protocol.md §2), 90 days: `maxSequencerDrift`,
 * `forceInclusionDelay`, `challengePeriod` and `gameClock`. Every deadline the contracts compute stays far
 * inside 64 bits, and every window stays short enough to mean something.
 */
export const MAX_DURATION = 90n * 86_400n

/** The smallest `maxForcedTxBytes` (protocol.md §2): the longest transaction that can pass rules 1–15 of §7.3. */
export const MIN_FORCED_TX_BYTES = 256n

/**
 * The largest `maxForcedTxBytes` (protocol.md §8.4): a forced message's one-step proof carries its payload
 * beside the whole batch and must still fit in one 131,072-byte L1 transaction.
 */
export const MAX_FORCED_TX_BYTES_LIMIT = 32_768n

/**
 * `root_0`, the root of the genesis state of protocol.md §3.3: a config's `genesisStateRoot` must equal it.
 * The L1 contracts hold the same constant; a test checks both against `genesisStateRoot()`.
 */
export const GENESIS_STATE_ROOT = '0xc073202d77f8a682a619b3335c12fc45885cfe95245d8dfd683434e85a993e06' as const
