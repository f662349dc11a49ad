import { hexToBytes } from '../bytes/index.ts'
import { MAX_UINT256, MESSAGE_PASSER } from '../config/constants.ts'
import type { RollupConfig } from '../config/rollupConfig.ts'
import type { WorldState } from '../state/types.ts'
import type { Account } from '../trie/account.ts'
import type { SignedTransaction } from '../tx/types.ts'
import type { MessageOutcome, StfMessage } from './message.ts'
import { checkStatelessRules, effectiveGasPrice } from './rules.ts'
import { type Log, messagePassedLog, withdrawalHash, withdrawalRecipient } from './withdrawal.ts'

/** The config values the state transition reads. */
export type StfConfig = Pick<RollupConfig, 'chainId' | 'baseFeePerGas' | 'feeVault'>

/** The config in the form the hot path wants (fee vault as bytes), computed once per node. */
export type PreparedStfConfig = { chainId: bigint; baseFeePerGas: bigint; feeVault: Uint8Array }

export function prepareStfConfig(config: StfConfig): PreparedStfConfig {
  return { chainId: config.chainId, baseFeePerGas: config.baseFeePerGas, feeVault: hexToBytes(config.feeVault) }
}

/** The logs of a transaction without any (every transfer): one shared array, frozen so that nothing adds to it. */
const NO_LOGS: Log[] = Object.freeze([]) as unknown as Log[]

/** Applies one message (protocol.md §7). Never throws on message content: invalid ones are no-ops. */
export function applyMessage(state: WorldState, message: StfMessage, config: PreparedStfConfig): MessageOutcome {
  switch (message.kind) {
    case 'deposit':
      return applyDeposit(state, message.recipient, message.amount)
    case 'transaction':
      return applyTransaction(state, message.tx, config, message.sender)
    case 'undecodable':
      return { applied: false, reason: message.reason, detail: message.detail }
  }
}

/**
 * A deposit always applies: the recipient is credited (§7.2), its balance saturating at 2^256 − 1 (a
 * deposit L1 cannot fund, but one both implementations must treat alike).
 */
export function applyDeposit(state: WorldState, recipient: Uint8Array, amount: bigint): MessageOutcome {
  const account = state.getAccount(recipient)
  state.putAccount(recipient, withBalance(account, saturatingCredit(account.balance, amount)))
  return { applied: true, kind: 'deposit', recipient, amount }
}

/** A copy of `account` with another balance, built field by field (an object spread is slower on this path). */
function withBalance(account: Account, balance: bigint): Account {
  return { nonce: account.nonce, balance, storageRoot: account.storageRoot, codeHash: account.codeHash }
}

/**
 * `min(balance + amount, 2^256 − 1)`: every credit saturates (§7.2 deposits, §7.3 recipient and fee vault).
 * Unreachable with real ETH, but defined so that both implementations agree on every state.
 */
function saturatingCredit(balance: bigint, amount: bigint): bigint {
  const credited = balance + amount
  return credited > MAX_UINT256 ? MAX_UINT256 : credited
}

/** A transaction: rules §7.3 in order, then the updates in the fixed order sender, recipient, fee vault, passer. */
export function applyTransaction(
  state: WorldState,
  tx: SignedTransaction,
  config: PreparedStfConfig,
  knownSender?: Uint8Array,
): MessageOutcome {
  const check = checkStatelessRules(tx, config, knownSender)
  if (!check.ok) return { applied: false, reason: check.reason }
  const { sender, intrinsicGas, isWithdrawal } = check

  const from = state.getAccount(sender)
  if (tx.nonce !== from.nonce) {
    return { applied: false, reason: 'nonceMismatch', detail: `nonce ${tx.nonce}, account nonce ${from.nonce}` }
  }
  if (from.balance < tx.value + tx.gasLimit * tx.maxFeePerGas) return { applied: false, reason: 'insufficientBalance' }

  const price = effectiveGasPrice(tx, config.baseFeePerGas)
  const fee = intrinsicGas * price
  const to = tx.to as Uint8Array

  state.putAccount(sender, {
    nonce: from.nonce + 1n,
    balance: from.balance - tx.value - fee,
    storageRoot: from.storageRoot,
    codeHash: from.codeHash,
  })
  if (!isWithdrawal) {
    const recipient = state.getAccount(to)
    state.putAccount(to, withBalance(recipient, saturatingCredit(recipient.balance, tx.value)))
  }
  const vault = state.getAccount(config.feeVault)
  state.putAccount(config.feeVault, withBalance(vault, saturatingCredit(vault.balance, fee)))

  let withdrawal: (Parameters<typeof withdrawalHash>[0] & { hash: Uint8Array }) | undefined
  let logs: Log[] = NO_LOGS
  if (isWithdrawal) {
    const passer = state.getAccount(MESSAGE_PASSER)
    const record = { nonce: passer.nonce, sender, l1Recipient: withdrawalRecipient(tx.data, sender), value: tx.value }
    const hash = withdrawalHash(record)
    const storageRoot = state.putStorage(MESSAGE_PASSER, hash, hash)
    state.putAccount(MESSAGE_PASSER, { ...passer, nonce: passer.nonce + 1n, storageRoot })
    withdrawal = { ...record, hash }
    logs = [messagePassedLog(record, hash)]
  }
  return {
    applied: true,
    kind: 'transaction',
    tx,
    sender,
    gasUsed: intrinsicGas,
    effectiveGasPrice: price,
    fee,
    logs,
    withdrawal,
  }
}
