import { RLP } from '@ethereumjs/rlp'
import { bigintToBytes, bytesToBigint } from '../bytes/index.ts'
import { SluiceError } from '../errors/base.ts'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT } from './constants.ts'

export { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT }

/** An account as the state trie stores it: `rlp([nonce, balance, storageRoot, codeHash])`. */
export type Account = {
  nonce: bigint
  balance: bigint
  storageRoot: Uint8Array
  codeHash: Uint8Array
}

export class InvalidAccountError extends SluiceError {
  override name = 'InvalidAccountError'
  constructor(reason: string) {
    super(`invalid account encoding: ${reason}`, {
      details:
        'An account is rlp([nonce, balance, storageRoot (32 bytes), codeHash (32 bytes)]) with minimal integers.',
      severity: 'critical',
    })
  }
}

/** A new account: zero nonce and balance, empty storage, no code. */
export function emptyAccount(): Account {
  return { nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH }
}

export function encodeAccount(account: Account): Uint8Array {
  if (account.storageRoot.length !== 32) throw new InvalidAccountError('storageRoot is not 32 bytes')
  if (account.codeHash.length !== 32) throw new InvalidAccountError('codeHash is not 32 bytes')
  return RLP.encode([
    bigintToBytes(account.nonce),
    bigintToBytes(account.balance),
    account.storageRoot,
    account.codeHash,
  ])
}

export function decodeAccount(data: Uint8Array): Account {
  let decoded: unknown
  try {
    decoded = RLP.decode(data)
  } catch (error) {
    throw new InvalidAccountError(`not RLP (${String(error)})`)
  }
  if (!Array.isArray(decoded) || decoded.length !== 4) throw new InvalidAccountError('not a list of 4 items')
  const [nonce, balance, storageRoot, codeHash] = decoded as unknown[]
  for (const item of [nonce, balance, storageRoot, codeHash]) {
    if (!(item instanceof Uint8Array)) throw new InvalidAccountError('an item is a list')
  }
  const n = nonce as Uint8Array
  const b = balance as Uint8Array
  if ((n.length > 0 && n[0] === 0) || (b.length > 0 && b[0] === 0)) {
    throw new InvalidAccountError('an integer has a leading zero byte')
  }
  if ((storageRoot as Uint8Array).length !== 32) throw new InvalidAccountError('storageRoot is not 32 bytes')
  if ((codeHash as Uint8Array).length !== 32) throw new InvalidAccountError('codeHash is not 32 bytes')
  return {
    nonce: bytesToBigint(n),
    balance: bytesToBigint(b),
    storageRoot: storageRoot as Uint8Array,
    codeHash: codeHash as Uint8Array,
  }
}
