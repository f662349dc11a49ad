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
