/**
 * Differential test: our state transition against @ethereumjs/vm on random transfers.
 *
 * Alignment (protocol.md §7.3 vs Ethereum): ethereumjs burns `baseFee × gasUsed` and pays the
 * priority part to the coinbase; Sluice pays the whole fee to the fee vault. With the block's
 * coinbase set to the fee vault, the two states differ only by the burned amount, which the test
 * credits to the vault in ethereumjs's state before comparing roots. Hardfork Cancun: no EIP-7623
 * floor, so intrinsic gas matches. Zero-value transfers to new accounts are excluded here because
 * Sluice creates the account and EIP-161 does not (see the test named for it below); withdrawals
 * are excluded because ethereumjs has no message passer.
 */
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { Address, Account as EjsAccount } from '@ethereumjs/util'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../../test/support/config.ts'
import { Prng } from '../../../../test/support/prng.ts'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import { bytesToHex } from '../../src/bytes/index.ts'
import { MESSAGE_PASSER } from '../../src/config/constants.ts'
import { MemoryStore } from '../../src/db/store.ts'
import { StateDb, writeGenesisState } from '../../src/state/index.ts'
import { applyMessage, prepareStfConfig } from '../../src/stf/index.ts'

const config = testConfig()
const stf = prepareStfConfig(config)
const common = createCustomCommon({ chainId: Number(config.chainId) }, Mainnet, { hardfork: Hardfork.Cancun })

async function ejsState(accounts: TestAccount[], balance: bigint): Promise<VM> {
  const vm = await createVM({ common })
  await vm.stateManager.putAccount(new Address(MESSAGE_PASSER), new EjsAccount(0n, 0n))
  for (const account of accounts)
    await vm.stateManager.putAccount(new Address(account.address), new EjsAccount(0n, balance))
  return vm
}

function ourState(accounts: TestAccount[], balance: bigint): StateDb {
  const state = new StateDb(new MemoryStore())
  writeGenesisState(state)
  for (const account of accounts)
    applyMessage(state, { kind: 'deposit', recipient: account.address, amount: balance }, stf)
  return state
}

describe('state transition vs @ethereumjs/vm', () => {
  it('gives the same state root and the same validity verdicts on random transfers', async () => {
    const prng = new Prng(20261124)
    const random = () => prng.nextU32() / 2 ** 32
    const accounts = Array.from({ length: 24 }, (_, i) => testAccount(100 + i))
    const balance = 5n * 10n ** 18n
    const vm = await ejsState(accounts, balance)
    const ours = ourState(accounts, balance)
    expect(bytesToHex(ours.stateRoot())).toBe(bytesToHex(await vm.stateManager.getStateRoot()))

    const block = createBlock(
      {
        header: {
          number: 1n,
          baseFeePerGas: config.baseFeePerGas,
          coinbase: new Address(stf.feeVault),
          gasLimit: 10n ** 9n,
          timestamp: 1n,
        },
      },
      { common },
    )
    const nonces = new Map<string, bigint>()
    let burned = 0n
    let applied = 0
    let refused = 0
    for (let i = 0; i < 300; i++) {
      const from = accounts[Math.floor(random() * accounts.length)] as TestAccount
      const to =
        random() < 0.1
          ? testAccount(10_000 + i).address
          : (accounts[Math.floor(random() * accounts.length)] as TestAccount).address
      const expectedNonce = nonces.get(from.addressHex) ?? 0n
      // One in ten transactions is invalid on purpose: a wrong nonce or more value than the balance.
      const roll = random()
      const nonce = roll < 0.05 ? expectedNonce + 1n : expectedNonce
      const value = roll > 0.95 ? balance * 2n : 1n + BigInt(Math.floor(random() * 1e9)) * 10n ** 6n
      const type = ([0, 1, 2] as const)[Math.floor(random() * 3)] as 0 | 1 | 2
      const maxFeePerGas = config.baseFeePerGas + BigInt(Math.floor(random() * 3e9))
      const maxPriorityFeePerGas = BigInt(Math.floor(random() * Number(maxFeePerGas - config.baseFeePerGas + 1n)))
      const { tx, raw } = transfer(from, to, {
        chainId: config.chainId,
        nonce,
        value,
        type,
        maxFeePerGas,
        maxPriorityFeePerGas,
        gasLimit: 21_000n + BigInt(Math.floor(random() * 5000)),
      })

      const outcome = applyMessage(ours, { kind: 'transaction', tx }, stf)
      let ejsApplied = true
      try {
        const result = await runTx(vm, {
          tx: createTxFromRLP(raw, { common }),
          block,
          skipBlockGasLimitValidation: true,
        })
        burned += result.totalGasSpent * config.baseFeePerGas
      } catch {
        ejsApplied = false
      }
      expect(
        outcome.applied,
        `transaction ${i}: ours ${JSON.stringify(outcome.applied ? 'applied' : outcome.reason)}, ethereumjs ${ejsApplied}`,
      ).toBe(ejsApplied)
      if (outcome.applied) {
        applied++
        nonces.set(from.addressHex, expectedNonce + 1n)
      } else refused++
    }
    const vault = new Address(stf.feeVault)
    const vaultAccount = (await vm.stateManager.getAccount(vault)) ?? new EjsAccount()
    vaultAccount.balance += burned
    await vm.stateManager.putAccount(vault, vaultAccount)
    expect(bytesToHex(ours.stateRoot())).toBe(bytesToHex(await vm.stateManager.getStateRoot()))
    expect(applied).toBeGreaterThan(250)
    expect(refused).toBeGreaterThan(5)
  })

  it('differs on purpose for a zero-value transfer to a new address: Sluice creates the account, EIP-161 does not', async () => {
    const [alice] = [testAccount(7)]
    const balance = 10n ** 18n
    const vm = await ejsState([alice], balance)
    const ours = ourState([alice], balance)
    const fresh = testAccount(8)
    const { tx, raw } = transfer(alice, fresh.address, {
      chainId: config.chainId,
      nonce: 0n,
      value: 0n,
      maxPriorityFeePerGas: 0n,
    })
    applyMessage(ours, { kind: 'transaction', tx }, stf)
    const block = createBlock(
      {
        header: {
          number: 1n,
          baseFeePerGas: config.baseFeePerGas,
          coinbase: new Address(stf.feeVault),
          gasLimit: 10n ** 9n,
        },
      },
      { common },
    )
    const result = await runTx(vm, { tx: createTxFromRLP(raw, { common }), block })
    const vault = new Address(stf.feeVault)
    const vaultAccount = (await vm.stateManager.getAccount(vault)) ?? new EjsAccount()
    vaultAccount.balance += result.totalGasSpent * config.baseFeePerGas
    await vm.stateManager.putAccount(vault, vaultAccount)
    expect(await vm.stateManager.getAccount(new Address(fresh.address))).toBeUndefined()
    expect(ours.hasAccount(fresh.address)).toBe(true)
    expect(bytesToHex(ours.stateRoot())).not.toBe(bytesToHex(await vm.stateManager.getStateRoot()))
    // Creating the same empty account on the ethereumjs side closes the gap exactly.
    await vm.stateManager.putAccount(new Address(fresh.address), new EjsAccount(0n, 0n))
    expect(bytesToHex(ours.stateRoot())).toBe(bytesToHex(await vm.stateManager.getStateRoot()))
  })
})
