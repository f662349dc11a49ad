import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { MESSAGE_PASSER } from '../../src/config/constants.ts'
import { MemoryStore } from '../../src/db/store.ts'
import { recordMessageProof } from '../../src/proof/index.ts'
import { StateDb, writeGenesisState } from '../../src/state/index.ts'
import { applyMessage, prepareStfConfig } from '../../src/stf/index.ts'
import { decodeAccount, verifyProof } from '../../src/trie/index.ts'

const config = testConfig()
const stf = prepareStfConfig(config)

function state(): StateDb {
  const s = new StateDb(new MemoryStore())
  writeGenesisState(s)
  for (let i = 0; i < 300; i++)
    applyMessage(s, { kind: 'deposit', recipient: testAccount(i).address, amount: 10n ** 18n }, stf)
  return s
}

describe('one-step proof recording (protocol.md §7.4)', () => {
  it('a transfer carries sender, recipient and fee-vault proofs, each against the running root', () => {
    const s = state()
    const sender = testAccount(1)
    const recipient = testAccount(2)
    const { tx } = transfer(sender, recipient.address, { chainId: config.chainId, nonce: 0n, value: 5n })
    const proof = recordMessageProof(s, { kind: 'transaction', tx }, stf)
    expect(proof.accountProofs).toHaveLength(3)

    // Replay: each proof verifies against the root left by the previous step.
    const replay = state()
    let root = replay.stateRoot()
    expect(bytesToHex(root)).toBe(bytesToHex(proof.preRoot))
    const touched = [sender.address, recipient.address, stf.feeVault]
    const afterEach: Uint8Array[] = []
    const from = replay.getAccount(sender.address)
    replay.putAccount(sender.address, { ...from, nonce: 1n, balance: from.balance - 5n - 21_000n * 2_000_000_000n })
    afterEach.push(replay.stateRoot())
    const to = replay.getAccount(recipient.address)
    replay.putAccount(recipient.address, { ...to, balance: to.balance + 5n })
    afterEach.push(replay.stateRoot())
    touched.forEach((address, i) => {
      const value = verifyProof(root, address, proof.accountProofs[i] as Uint8Array[], { secure: true })
      if (i < 2) expect(value && decodeAccount(value).balance).toBe(10n ** 18n)
      else expect(value).toBeUndefined() // the fee vault does not exist yet: an exclusion proof
      root = afterEach[i] ?? root
    })
    expect(bytesToHex(proof.postRoot)).not.toBe(bytesToHex(proof.preRoot))
  })

  it('a withdrawal carries sender, fee vault and passer proofs plus the passer storage proof', () => {
    const s = state()
    const sender = testAccount(3)
    const { tx } = transfer(sender, MESSAGE_PASSER, { chainId: config.chainId, nonce: 0n, value: 5n })
    const proof = recordMessageProof(s, { kind: 'transaction', tx }, stf)
    expect(proof.accountProofs).toHaveLength(3)
    expect(proof.storageProof).toEqual([]) // the passer storage is empty: the empty proof of absence
  })

  it('a stateful no-op carries only the sender proof and a stateless one none', () => {
    const s = state()
    const sender = testAccount(4)
    const wrongNonce = transfer(sender, testAccount(5).address, { chainId: config.chainId, nonce: 3n, value: 1n }).tx
    const stateful = recordMessageProof(s, { kind: 'transaction', tx: wrongNonce }, stf)
    expect(stateful.outcome).toMatchObject({ applied: false, reason: 'nonceMismatch' })
    expect(stateful.accountProofs).toHaveLength(1)
    const wrongChain = transfer(sender, testAccount(5).address, { chainId: 1n, nonce: 0n, value: 1n }).tx
    const stateless = recordMessageProof(s, { kind: 'transaction', tx: wrongChain }, stf)
    expect(stateless.accountProofs).toHaveLength(0)
    expect(bytesToHex(stateless.postRoot)).toBe(bytesToHex(stateless.preRoot))
  })
})
