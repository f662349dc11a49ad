import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { signTransaction, testAccount, transfer } from '../../../../test/support/wallet.ts'
import { bigintToBytes32, bytesToHex, concatBytes, equalBytes, hexToBytes } from '../../src/bytes/index.ts'
import { MESSAGE_PASSER } from '../../src/config/constants.ts'
import { recoverPublicKey } from '../../src/crypto/index.ts'
import { MemoryStore } from '../../src/db/store.ts'
import { StateDb, writeGenesisState } from '../../src/state/index.ts'
import {
  applyMessage,
  MESSAGE_PASSED_TOPIC,
  type MessageOutcome,
  NOOP_REASONS,
  type NoopReason,
  prepareStfConfig,
  withdrawalHash,
} from '../../src/stf/index.ts'
import { verifyProof } from '../../src/trie/index.ts'
import { signingHash } from '../../src/tx/index.ts'
import type { SignedTransaction } from '../../src/tx/types.ts'

const config = testConfig()
const stf = prepareStfConfig(config)
const chainId = config.chainId
const alice = testAccount(1)
const bob = testAccount(2)
const ETH = 10n ** 18n

function fundedState(): StateDb {
  const state = new StateDb(new MemoryStore())
  writeGenesisState(state)
  applyMessage(state, { kind: 'deposit', recipient: alice.address, amount: 10n * ETH }, stf)
  return state
}

function applyTx(state: StateDb, tx: SignedTransaction): MessageOutcome {
  return applyMessage(state, { kind: 'transaction', tx }, stf)
}

function expectNoop(tx: SignedTransaction, reason: NoopReason, state = fundedState()): void {
  const before = state.stateRoot()
  const outcome = applyTx(state, tx)
  expect(outcome).toMatchObject({ applied: false, reason })
  expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(before))
}

describe('deposits', () => {
  it('credit the recipient, creating the account', () => {
    const state = fundedState()
    expect(state.getAccount(alice.address).balance).toBe(10n * ETH)
    applyMessage(state, { kind: 'deposit', recipient: alice.address, amount: 5n }, stf)
    expect(state.getAccount(alice.address).balance).toBe(10n * ETH + 5n)
  })

  it('saturate at 2^256 − 1 instead of overflowing (§7.2), still applying', () => {
    const state = fundedState()
    const max = 2n ** 256n - 1n
    applyMessage(state, { kind: 'deposit', recipient: bob.address, amount: max - 3n }, stf)
    const outcome = applyMessage(state, { kind: 'deposit', recipient: bob.address, amount: 10n }, stf)
    expect(outcome).toMatchObject({ applied: true, kind: 'deposit', amount: 10n })
    expect(state.getAccount(bob.address).balance).toBe(max)
    applyMessage(state, { kind: 'deposit', recipient: bob.address, amount: max }, stf)
    expect(state.getAccount(bob.address).balance).toBe(max)
  })
})

describe('transfers', () => {
  it('move value, bump the nonce and pay the fee vault the whole fee', () => {
    const state = fundedState()
    const { tx } = transfer(alice, bob.address, {
      chainId,
      nonce: 0n,
      value: ETH,
      maxFeePerGas: 3_000_000_000n,
      maxPriorityFeePerGas: 500_000_000n,
    })
    const outcome = applyTx(state, tx)
    expect(outcome.applied).toBe(true)
    const fee = 21_000n * 1_500_000_000n
    expect(state.getAccount(alice.address)).toMatchObject({ nonce: 1n, balance: 10n * ETH - ETH - fee })
    expect(state.getAccount(bob.address).balance).toBe(ETH)
    expect(state.getAccount(stf.feeVault).balance).toBe(fee)
  })

  it("share one frozen empty log list (nothing can add to another transfer's logs); a withdrawal has its own", () => {
    const state = fundedState()
    const first = applyTx(state, transfer(alice, bob.address, { chainId, nonce: 0n, value: 1n }).tx)
    const second = applyTx(state, transfer(alice, bob.address, { chainId, nonce: 1n, value: 1n }).tx)
    if (!first.applied || first.kind !== 'transaction' || !second.applied || second.kind !== 'transaction') {
      throw new Error('not applied')
    }
    expect(first.logs).toEqual([])
    expect(Object.isFrozen(first.logs)).toBe(true)
    expect(() => first.logs.push(first.logs[0] as never)).toThrow(TypeError)
    expect(second.logs).toHaveLength(0)
    const data = new Uint8Array(32)
    const withdrawal = applyTx(
      state,
      transfer(alice, MESSAGE_PASSER, { chainId, nonce: 2n, value: 1n, data, gasLimit: 30_000n }).tx,
    )
    if (!withdrawal.applied || withdrawal.kind !== 'transaction') throw new Error('not applied')
    expect(withdrawal.logs).toHaveLength(1)
    expect(Object.isFrozen(withdrawal.logs)).toBe(false)
    expect(first.logs).toHaveLength(0)
  })

  it('to oneself pays only the fee', () => {
    const state = fundedState()
    const { tx } = transfer(alice, alice.address, { chainId, nonce: 0n, value: ETH })
    applyTx(state, tx)
    const fee = 21_000n * 2_000_000_000n
    expect(state.getAccount(alice.address)).toMatchObject({ nonce: 1n, balance: 10n * ETH - fee })
  })

  it('to the fee vault credits it twice, value then fee', () => {
    const state = fundedState()
    const { tx } = transfer(alice, stf.feeVault, { chainId, nonce: 0n, value: 7n })
    applyTx(state, tx)
    expect(state.getAccount(stf.feeVault).balance).toBe(7n + 21_000n * 2_000_000_000n)
  })

  it('of zero value to a new address creates the account (protocol.md §3.2, unlike EIP-161)', () => {
    const state = fundedState()
    const fresh = testAccount(99)
    expect(state.hasAccount(fresh.address)).toBe(false)
    applyTx(state, transfer(alice, fresh.address, { chainId, nonce: 0n, value: 0n }).tx)
    expect(state.hasAccount(fresh.address)).toBe(true)
  })

  it('applies legacy EIP-155 and EIP-2930 transactions with gasPrice as the price', () => {
    const state = fundedState()
    applyTx(
      state,
      transfer(alice, bob.address, { chainId, nonce: 0n, value: 1n, type: 0, maxFeePerGas: 4_000_000_000n }).tx,
    )
    applyTx(
      state,
      transfer(alice, bob.address, { chainId, nonce: 1n, value: 1n, type: 1, maxFeePerGas: 4_000_000_000n }).tx,
    )
    expect(state.getAccount(stf.feeVault).balance).toBe(2n * 21_000n * 4_000_000_000n)
    expect(state.getAccount(alice.address).nonce).toBe(2n)
  })
})

describe('withdrawals', () => {
  it('burn the value, record the hash in the passer storage with the nonce before the bump, and log it', () => {
    const state = fundedState()
    const l1Recipient = hexToBytes('0x00000000000000000000000000000000000000aa')
    const data = new Uint8Array(32)
    data.set(l1Recipient, 12)
    const { tx } = transfer(alice, MESSAGE_PASSER, { chainId, nonce: 0n, value: ETH, data, gasLimit: 30_000n })
    const outcome = applyTx(state, tx)
    if (!outcome.applied || outcome.kind !== 'transaction') throw new Error(`not applied: ${JSON.stringify(outcome)}`)
    const expected = withdrawalHash({ nonce: 0n, sender: alice.address, l1Recipient, value: ETH })
    expect(bytesToHex(outcome.withdrawal?.hash ?? new Uint8Array())).toBe(bytesToHex(expected))
    expect(bytesToHex(state.getStorage(MESSAGE_PASSER, expected))).toBe(bytesToHex(expected))
    expect(state.getAccount(MESSAGE_PASSER)).toMatchObject({ nonce: 1n, balance: 0n })
    const gas = 21_000n + 31n * 4n + 1n * 16n // 31 zero bytes, one 0xaa
    expect(outcome.gasUsed).toBe(gas)
    expect(state.getAccount(alice.address).balance).toBe(10n * ETH - ETH - gas * 2_000_000_000n)
    expect(outcome.logs[0]?.topics[0]).toEqual(MESSAGE_PASSED_TOPIC)

    // The storage proof verifies against the passer's storage root, as the Portal will check it.
    const storageRoot = state.getAccount(MESSAGE_PASSER).storageRoot
    const proven = verifyProof(
      storageRoot,
      hexToBytes(bytesToHex(expected)),
      state.storageProof(MESSAGE_PASSER, expected),
      { secure: true },
    )
    expect(proven).toBeDefined()

    // A second withdrawal with empty data pays the sender's own address and uses nonce 1.
    const second = applyTx(state, transfer(alice, MESSAGE_PASSER, { chainId, nonce: 1n, value: 1n }).tx)
    if (!second.applied || second.kind !== 'transaction') throw new Error('second withdrawal not applied')
    expect(second.withdrawal).toMatchObject({ nonce: 1n, value: 1n })
    expect(equalBytes(second.withdrawal?.l1Recipient ?? new Uint8Array(), alice.address)).toBe(true)
  })
})

describe('no-op reasons (protocol.md §7.3)', () => {
  const base = { chainId, nonce: 0n, value: 1n }
  const sign = (fields: Partial<SignedTransaction>) =>
    signTransaction(
      {
        type: 2,
        chainId,
        nonce: 0n,
        maxFeePerGas: 2_000_000_000n,
        maxPriorityFeePerGas: 1n,
        gasLimit: 21_000n,
        to: bob.address,
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
        ...fields,
      },
      alice.privateKey,
    ).tx

  it('preEip155', () => {
    const legacy = { ...sign({}), type: 0 as const, chainId: undefined, maxPriorityFeePerGas: 2_000_000_000n }
    expectNoop(signTransaction(legacy, alice.privateKey).tx, 'preEip155')
  })
  it('wrongChainId (typed)', () => expectNoop(sign({ chainId: chainId + 1n }), 'wrongChainId'))
  it('wrongChainId (legacy v for another chain)', () =>
    expectNoop(transfer(alice, bob.address, { ...base, chainId: 5n, type: 0 }).tx, 'wrongChainId'))
  it('invalidYParity', () => expectNoop({ ...sign({}), v: 2n }, 'invalidYParity'))
  it('rOutOfRange', () => expectNoop({ ...sign({}), r: 0n }, 'rOutOfRange'))
  it('sOutOfRange', () => expectNoop({ ...sign({}), s: 0n }, 'sOutOfRange'))
  it('highS', () => {
    const tx = sign({})
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    expectNoop({ ...tx, s: n - tx.s, v: 1n - tx.v }, 'highS')
  })
  it('recoveryFailed', () => {
    // An r that is no x-coordinate on the curve: nothing can be recovered from it.
    const tx = sign({})
    const hash = signingHash(tx)
    let r = 1n
    while (recoverPublicKey(hash, concatBytes(bigintToBytes32(r), bigintToBytes32(tx.s)), Number(tx.v)) !== undefined)
      r++
    expectNoop({ ...tx, r }, 'recoveryFailed')
  })
  it('contractCreation', () => expectNoop(sign({ to: undefined }), 'contractCreation'))
  it('invalidData (transfer with data)', () =>
    expectNoop(sign({ data: new Uint8Array([1]), gasLimit: 30_000n }), 'invalidData'))
  it('invalidData (withdrawal word with non-zero top bytes)', () =>
    expectNoop(sign({ to: MESSAGE_PASSER, data: new Uint8Array(32).fill(1), gasLimit: 30_000n }), 'invalidData'))
  it('accessListNotEmpty', () =>
    expectNoop(
      sign({ accessList: [{ address: bob.address, storageKeys: [] }], gasLimit: 30_000n }),
      'accessListNotEmpty',
    ))
  it('nonceMax', () => expectNoop(sign({ nonce: 2n ** 64n - 1n }), 'nonceMax'))
  it('priorityFeeAboveMaxFee', () =>
    expectNoop(sign({ maxPriorityFeePerGas: 3_000_000_000n }), 'priorityFeeAboveMaxFee'))
  it('maxFeeBelowBaseFee', () =>
    expectNoop(sign({ maxFeePerGas: config.baseFeePerGas - 1n, maxPriorityFeePerGas: 0n }), 'maxFeeBelowBaseFee'))
  it('intrinsicGasTooLow', () => expectNoop(sign({ gasLimit: 20_999n }), 'intrinsicGasTooLow'))
  it('nonceMismatch', () => expectNoop(sign({ nonce: 1n }), 'nonceMismatch'))
  it('insufficientBalance counts gasLimit × maxFeePerGas, not the fee paid', () =>
    expectNoop(sign({ value: 10n * ETH - 21_000n * 2_000_000_000n + 1n }), 'insufficientBalance'))
  it('undecodable messages carry their reason', () => {
    const state = fundedState()
    expect(applyMessage(state, { kind: 'undecodable', reason: 'slotDecode', detail: 'x' }, stf)).toMatchObject({
      applied: false,
      reason: 'slotDecode',
    })
  })
  it('every reason in the list is one the protocol names', () => {
    expect(new Set(NOOP_REASONS).size).toBe(NOOP_REASONS.length)
  })
})

describe('state', () => {
  it('an absent account reads as empty and the genesis root is the passer alone', () => {
    const state = new StateDb(new MemoryStore())
    const root = writeGenesisState(state)
    expect(state.getAccount(bob.address)).toMatchObject({ nonce: 0n, balance: 0n })
    expect(bytesToHex(root)).toBe(config.genesisStateRoot)
    expect(verifyProof(root, MESSAGE_PASSER, state.accountProof(MESSAGE_PASSER), { secure: true })).toBeDefined()
    expect(bigintToBytes32(0n).length).toBe(32)
  })
})
