import {
  applyBlock,
  type BlockInput,
  bytesToHex,
  hexToBytes,
  MESSAGE_PASSER,
  MemoryStore,
  prepareBlockConfig,
  StateDb,
  type StfMessage,
} from '@sluice/core'
import { afterAll, describe, expect, it } from 'vitest'
import { Prng } from '../../../../test/support/prng.ts'
import { testAccount, transfer } from '../../../../test/support/wallet.ts'
import { addressKey } from '../../src/mempool/headAccounts.ts'
import { HeadAccounts, MempoolConfigError } from '../../src/mempool/index.ts'
import { alice, bob, carol, closeRecovery, config, ETH, makePool, tx } from './support.ts'

const prepared = prepareBlockConfig(config)
const feeVault = hexToBytes(config.feeVault)

afterAll(closeRecovery)

function blockInput(number: bigint, messages: StfMessage[]): BlockInput {
  return {
    parentHash: new Uint8Array(32),
    number,
    timestamp: 1_000n + number,
    delayedCountAfter: 0n,
    delayedAccumulator: new Uint8Array(32),
    messages,
  }
}

/** A head state funded by a deposit block, with a cache of its accounts read through `reads`. */
function head(): { state: StateDb; accounts: HeadAccounts; reads: string[] } {
  const state = new StateDb(new MemoryStore())
  const reads: string[] = []
  const accounts = new HeadAccounts((address) => {
    reads.push(bytesToHex(address))
    return state.getAccount(address)
  })
  applyBlock(
    accounts.recording(state),
    blockInput(1n, [
      { kind: 'deposit', recipient: alice.address, amount: 10n * ETH },
      { kind: 'deposit', recipient: bob.address, amount: 10n * ETH },
    ]),
    prepared,
  )
  return { state, accounts, reads }
}

describe('HeadAccounts (the mempool view of the unsafe head)', () => {
  it('keeps every held account a block writes as the block leaves it: senders, recipients, fee vault, message passer', async () => {
    const { state, accounts, reads } = head()
    const { pool } = makePool(undefined as never, { view: accounts })
    // Through the mempool, so that the block holds what admission hands the builder.
    const first = await pool.add(tx(alice, 0n, { value: 3n }))
    // A withdrawal: one 32-byte word (the L1 recipient) to the message passer.
    const withdrawal = await pool.add(
      transfer(bob, MESSAGE_PASSER, {
        chainId: config.chainId,
        nonce: 0n,
        value: ETH,
        gasLimit: 100_000n,
        data: new Uint8Array(32).fill(7, 12),
      }).raw,
    )
    const recipientOfFirst = first.tx.to as Uint8Array
    // Held since read (alice and bob by their admissions); carol is not held when the block credits her.
    for (const address of [feeVault, MESSAGE_PASSER, recipientOfFirst]) accounts.account(address)
    const ready = pool.takeReady(10, config.l2BlockGasLimit)
    expect(ready.map((t) => t.hashHex)).toEqual(expect.arrayContaining([first.hashHex, withdrawal.hashHex]))
    const block = applyBlock(
      accounts.recording(state),
      blockInput(2n, [
        ...ready.map((t): StfMessage => ({ kind: 'transaction', tx: t.tx, sender: t.sender, raw: t.raw })),
        { kind: 'deposit', recipient: carol.address, amount: 5n },
      ]),
      prepared,
    )
    expect(block.transactions).toHaveLength(2)
    reads.length = 0
    for (const address of [alice.address, bob.address, feeVault, MESSAGE_PASSER, recipientOfFirst, carol.address]) {
      const held = accounts.account(address)
      expect({ nonce: held.nonce, balance: held.balance }).toEqual({
        nonce: state.getAccount(address).nonce,
        balance: state.getAccount(address).balance,
      })
    }
    // Every held one came from memory; carol, written but never held, from the state (with the block's credit).
    expect(reads).toEqual([carol.addressHex])
    expect(accounts.account(carol.address).balance).toBe(5n)
    expect(accounts.account(alice.address).nonce).toBe(1n)
    expect(accounts.account(MESSAGE_PASSER).nonce).toBe(1n)
    // The mempool, told of the block, admits the next nonce and refuses the spent one.
    pool.markIncluded(ready.map((t) => t.hash))
    pool.onNewHead(accounts, [alice.address, bob.address])
    await expect(pool.add(tx(alice, 0n, { value: 4n }))).rejects.toMatchObject({ refusal: 'nonceTooLow' })
    expect((await pool.add(tx(alice, 1n))).nonce).toBe(1n)
  })

  it('reads an account it does not hold from the state once, then answers from memory', () => {
    const { state, accounts, reads } = head()
    state.putAccount(carol.address, { ...state.getAccount(carol.address), nonce: 4n })
    reads.length = 0
    expect(accounts.account(carol.address).nonce).toBe(4n)
    expect(accounts.account(carol.address).nonce).toBe(4n)
    expect(reads).toEqual([carol.addressHex])
    expect(accounts.misses).toBe(1)
    expect(accounts.hits).toBe(1)
  })

  it('forgets everything on reset: a re-read state (after a reorg) is read again', () => {
    let current = new StateDb(new MemoryStore())
    const reads: string[] = []
    const accounts = new HeadAccounts((address) => {
      reads.push(bytesToHex(address))
      return current.getAccount(address)
    })
    applyBlock(
      accounts.recording(current),
      blockInput(1n, [{ kind: 'deposit', recipient: alice.address, amount: 1n }]),
      prepared,
    )
    expect(accounts.account(alice.address).balance).toBe(1n)
    // What BlockBuilder.reset does: the state is re-read at another root, then the cache is reset.
    current = new StateDb(new MemoryStore())
    accounts.reset()
    expect(accounts.size).toBe(0)
    reads.length = 0
    expect(accounts.account(alice.address).balance).toBe(0n)
    expect(reads).toEqual([alice.addressHex])
  })

  it('holds at most its capacity: the older generation goes, an account used again stays', () => {
    const state = new StateDb(new MemoryStore())
    const dave = testAccount(4)
    const accounts = new HeadAccounts((address) => state.getAccount(address), 4)
    const recorded = accounts.recording(state)
    for (const who of [alice, bob]) accounts.account(who.address)
    // A write to a held account replaces it; to an account not held, it adds nothing.
    recorded.putAccount(alice.address, { ...state.getAccount(alice.address), nonce: 3n })
    recorded.putAccount(dave.address, { ...state.getAccount(dave.address), nonce: 9n })
    expect(accounts.account(alice.address).nonce).toBe(3n)
    // carol and dave are read next: alice (used again) is kept, bob is dropped.
    accounts.account(carol.address)
    expect(accounts.account(dave.address).nonce).toBe(9n)
    expect(accounts.size).toBeLessThanOrEqual(4)
    const misses = accounts.misses
    expect(accounts.account(alice.address).nonce).toBe(3n)
    expect(accounts.misses).toBe(misses)
    // bob is read from the state again (the cache never holds what the state does not).
    recorded.putAccount(bob.address, { ...state.getAccount(bob.address), nonce: 2n })
    expect(accounts.account(bob.address).nonce).toBe(2n)
    expect(accounts.misses).toBe(misses + 1)
  })

  it('keeps apart addresses that share their first bytes, across writes and generations', () => {
    const state = new StateDb(new MemoryStore())
    // Three addresses equal but for their last byte, and the reads each one costs.
    const same = [1, 2, 3].map((last) => {
      const address = new Uint8Array(20).fill(0xab)
      address[19] = last
      return address
    })
    const [first, second, third] = same as [Uint8Array, Uint8Array, Uint8Array]
    for (const [i, address] of same.entries()) {
      state.putAccount(address, { ...state.getAccount(address), nonce: BigInt(i + 1) })
    }
    const reads: string[] = []
    // Capacity 6: a generation of 3, so the third read moves all three to the older one.
    const accounts = new HeadAccounts((address) => {
      reads.push(bytesToHex(address))
      return state.getAccount(address)
    }, 6)
    const recorded = accounts.recording(state)
    expect(same.map((address) => accounts.account(address).nonce)).toEqual([1n, 2n, 3n])
    // The middle one of the older generation is used again and comes back to the newer one.
    expect(accounts.account(second).nonce).toBe(2n)
    // A write to one replaces it alone, wherever it is held.
    recorded.putAccount(first, { ...state.getAccount(first), nonce: 7n })
    recorded.putAccount(second, { ...state.getAccount(second), nonce: 8n })
    expect([first, second, third].map((address) => accounts.account(address).nonce)).toEqual([7n, 8n, 3n])
    expect(accounts.size).toBe(3)
    // An address with the same first bytes that is not held is read from the state.
    const fourth = new Uint8Array(20).fill(0xab)
    fourth[19] = 4
    recorded.putAccount(fourth, { ...state.getAccount(fourth), nonce: 9n })
    expect(accounts.account(fourth).nonce).toBe(9n)
    expect(reads).toEqual([...same, fourth].map((address) => bytesToHex(address)))
    expect(accounts.misses).toBe(4)
  })

  it('answers every read as the state does through random reads and writes, with many addresses sharing a key', () => {
    const prng = new Prng(12)
    // 300 addresses, groups of up to four sharing their first six bytes (one key, one chain).
    const addresses: Uint8Array[] = []
    while (addresses.length < 300) {
      const prefix = prng.bytes(6)
      for (let n = 1 + prng.int(4); n > 0 && addresses.length < 300; n--) {
        const address = prng.bytes(20)
        address.set(prefix)
        addresses.push(address)
      }
    }
    const state = new StateDb(new MemoryStore())
    const read = (address: Uint8Array) => state.getAccount(address)
    // Capacity 64: generations turn over every 32 holds, so hits, moves back and drops all happen.
    const accounts = new HeadAccounts(read, 64)
    const recorded = accounts.recording(state)
    for (let step = 0; step < 20_000; step++) {
      const address = addresses[prng.int(addresses.length)] as Uint8Array
      if (prng.float() < 0.5) {
        // A copy: the cache must compare bytes, not array identity.
        expect(accounts.account(address.slice())).toEqual(read(address))
      } else {
        recorded.putAccount(address.slice(), {
          ...state.getAccount(address),
          nonce: BigInt(step),
          balance: BigInt(prng.nextU32()),
        })
      }
    }
    expect(accounts.size).toBeLessThanOrEqual(64)
  })

  it('keys an address by a small integer that only its first six bytes decide', () => {
    const prng = new Prng(13)
    for (let i = 0; i < 1_000; i++) {
      const address = prng.bytes(20)
      const key = addressKey(address)
      expect(Number.isInteger(key) && key >= 0 && key < 2 ** 30).toBe(true)
      const other = prng.bytes(20)
      other.set(address.subarray(0, 6))
      expect(addressKey(other)).toBe(key)
    }
  })

  it('refuses a capacity below 2', () => {
    expect(() => new HeadAccounts(() => ({ nonce: 0n, balance: 0n }), 1)).toThrow(MempoolConfigError)
  })
})
