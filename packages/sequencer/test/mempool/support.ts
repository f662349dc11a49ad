import { bytesToHex, createSenderPool, type SenderPool } from '@sluice/core'
import { testConfig } from '../../../../test/support/config.ts'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import {
  type AccountState,
  type AccountView,
  type DroppedTransaction,
  Mempool,
  type MempoolOptions,
} from '../../src/mempool/index.ts'

export const config = testConfig()
export const ETH = 10n ** 18n

/** An in-memory head state: absent accounts read as nonce 0, balance 0. */
export class FakeView implements AccountView {
  readonly accounts = new Map<string, AccountState>()

  account(address: Uint8Array): AccountState {
    return this.accounts.get(bytesToHex(address)) ?? { nonce: 0n, balance: 0n }
  }

  set(who: TestAccount, state: Partial<AccountState>): this {
    const current = this.accounts.get(who.addressHex) ?? { nonce: 0n, balance: 0n }
    this.accounts.set(who.addressHex, { ...current, ...state })
    return this
  }

  /** A copy, so a test can build the next head without touching the current one. */
  clone(): FakeView {
    const copy = new FakeView()
    for (const [key, value] of this.accounts) copy.accounts.set(key, { ...value })
    return copy
  }
}

export const alice = testAccount(1)
export const bob = testAccount(2)
export const carol = testAccount(3)
export const dave = testAccount(4)
export const recipient = testAccount(99).address

let sharedPool: SenderPool | undefined
/** One real sender pool (worker thread) for a test file; close it with `closeRecovery`. */
export function recovery(): SenderPool {
  sharedPool ??= createSenderPool({ threads: 1 })
  return sharedPool
}
export async function closeRecovery(): Promise<void> {
  await sharedPool?.close()
  sharedPool = undefined
}

export function makePool(
  view: FakeView,
  options: Partial<MempoolOptions> = {},
): { pool: Mempool; dropped: DroppedTransaction[] } {
  const dropped: DroppedTransaction[] = []
  const pool = new Mempool({
    config,
    view,
    recovery: recovery(),
    onDropped: (d) => dropped.push(d),
    ...options,
  })
  return { pool, dropped }
}

/** A signed EIP-1559 transfer on the test chain; tip and fee cap in gwei. */
export function tx(
  from: TestAccount,
  nonce: bigint,
  options: { tipGwei?: bigint; feeCapGwei?: bigint; value?: bigint; gasLimit?: bigint } = {},
): Uint8Array {
  const gwei = 1_000_000_000n
  return transfer(from, recipient, {
    chainId: config.chainId,
    nonce,
    value: options.value ?? 1n,
    maxFeePerGas: (options.feeCapGwei ?? 2n + (options.tipGwei ?? 1n)) * gwei,
    maxPriorityFeePerGas: (options.tipGwei ?? 1n) * gwei,
    ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
  }).raw
}
