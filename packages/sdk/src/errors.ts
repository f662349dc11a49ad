/**
 * The SDK's errors: each says what is wrong and what to do next, and carries a severity
 * (`temporary`: try again later; `invalidInput`: change the call; `critical`: something is broken).
 */
import { SluiceError } from '@sluice/core'

/** The chain has no address for a Sluice contract, and none was passed. */
export class ContractAddressNotFoundError extends SluiceError {
  override name = 'ContractAddressNotFoundError'
  constructor({ contract, chainId }: { contract: string; chainId?: number | undefined }) {
    super(
      `No ${contract} address${chainId === undefined ? '' : ` for L1 chain ${chainId}`}: pass \`targetChain\` (a chain made with defineSluiceChain) or the address itself.`,
      { severity: 'invalidInput', code: 'CONTRACT_ADDRESS_NOT_FOUND' },
    )
  }
}

/** The node does not answer a `sluice_*` method: it is not a Sluice node, or it is down. */
export class SluiceRpcError extends SluiceError {
  override name = 'SluiceRpcError'
  constructor({ method, cause }: { method: string; cause?: unknown }) {
    super(`The L2 node did not answer ${method}: check that the RPC URL points at a running Sluice node.`, {
      details: cause instanceof Error ? cause.message : cause === undefined ? undefined : String(cause),
      cause,
      severity: 'temporary',
      code: 'SLUICE_RPC_FAILED',
    })
  }
}

/** An answer of the node had an unexpected shape. */
export class SluiceRpcResponseError extends SluiceError {
  override name = 'SluiceRpcResponseError'
  constructor({ method, problem }: { method: string; problem: string }) {
    super(`The answer to ${method} is malformed: ${problem}. Is the node the same version as the SDK?`, {
      severity: 'critical',
      code: 'SLUICE_RPC_MALFORMED',
    })
  }
}

/** The L2 node knows no such transaction (not in a block, not in its pool). */
export class L2TransactionNotFoundError extends SluiceError {
  override name = 'L2TransactionNotFoundError'
  constructor({ hash }: { hash: string }) {
    super(
      `The L2 node does not know transaction ${hash}: check the hash, and that --rpc is the node that received it.`,
      {
        severity: 'invalidInput',
        code: 'L2_TRANSACTION_NOT_FOUND',
      },
    )
  }
}

/** The transaction's receipt has no `MessagePassed` log: it is not a withdrawal. */
export class NotAWithdrawalError extends SluiceError {
  override name = 'NotAWithdrawalError'
  constructor({ hash }: { hash: string }) {
    super(
      `Transaction ${hash} is not a withdrawal (its receipt has no MessagePassed log); withdraw with withdrawETH / \`sluice withdraw\`.`,
      { severity: 'invalidInput', code: 'NOT_A_WITHDRAWAL' },
    )
  }
}

/** The withdrawal cannot be finalized yet: no finalized (or finalizable) claim covers it. */
export class WithdrawalNotFinalizableError extends SluiceError {
  override name = 'WithdrawalNotFinalizableError'
  readonly status: string
  constructor({ hash, status, next }: { hash: string; status: string; next: string }) {
    super(`Withdrawal ${hash} cannot be finalized yet (status: ${status}). ${next}`, {
      severity: 'temporary',
      code: 'WITHDRAWAL_NOT_FINALIZABLE',
    })
    this.status = status
  }
}

/** The Portal already paid this withdrawal. */
export class WithdrawalAlreadyFinalizedError extends SluiceError {
  override name = 'WithdrawalAlreadyFinalizedError'
  constructor({ withdrawalHash }: { withdrawalHash: string }) {
    super(`Withdrawal ${withdrawalHash} was already paid on L1; there is nothing left to do.`, {
      severity: 'invalidInput',
      code: 'WITHDRAWAL_ALREADY_FINALIZED',
    })
  }
}

/**
 * The L2 node's state at the claim's batch is not the claim's state root: the node is on another
 * chain than the claim (or the claim is wrong), so its proofs would not verify on L1.
 */
export class StateRootMismatchError extends SluiceError {
  override name = 'StateRootMismatchError'
  constructor({ claimId, claimRoot, nodeRoot }: { claimId: bigint; claimRoot: string; nodeRoot: string }) {
    super(
      `Claim ${claimId} says state root ${claimRoot} but the L2 node has ${nodeRoot} there; use a node that follows the same L1, or wait for the claim to be challenged.`,
      { severity: 'critical', code: 'STATE_ROOT_MISMATCH' },
    )
  }
}

/** A wait ran out of time before its condition held. */
export class WaitTimeoutError extends SluiceError {
  override name = 'WaitTimeoutError'
  constructor({ what, timeoutMs, last }: { what: string; timeoutMs: number; last?: string | undefined }) {
    super(
      `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? ` (last seen: ${last})` : ''}; check that the nodes are running and try again, or pass a longer timeout.`,
      { severity: 'temporary', code: 'WAIT_TIMEOUT' },
    )
  }
}

/** An L1 transaction the SDK sent reverted. */
export class L1TransactionRevertedError extends SluiceError {
  override name = 'L1TransactionRevertedError'
  constructor({ what, hash }: { what: string; hash: string }) {
    super(`The L1 transaction for ${what} reverted (${hash}).`, { severity: 'critical', code: 'L1_TX_REVERTED' })
  }
}

/** The devnet file is missing or malformed. */
export class DevnetFileError extends SluiceError {
  override name = 'DevnetFileError'
  constructor({ file, problem }: { file: string; problem: string }) {
    super(
      `${file}: ${problem}. Start a devnet with \`npm run devnet\`, or pass --devnet <file> / --rpc and --l1-rpc.`,
      {
        severity: 'invalidInput',
        code: 'DEVNET_FILE',
      },
    )
  }
}

/** An action that signs was called without an account, on a client without one. */
export class AccountRequiredError extends SluiceError {
  override name = 'AccountRequiredError'
  constructor({ action }: { action: string }) {
    super(`${action} needs an account: pass \`account\`, or create the wallet client with one.`, {
      severity: 'invalidInput',
      code: 'ACCOUNT_REQUIRED',
    })
  }
}
