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
