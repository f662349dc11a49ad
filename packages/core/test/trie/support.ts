import { bigintToBytes } from '../../src/bytes/index.ts'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, encodeAccount } from '../../src/trie/index.ts'

/** sfc32: a small seeded PRNG, so every randomized test replays exactly. */
export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 16; i++) this.u32()
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n)
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.u32() & 0xff
    return out
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = items[i] as T
      items[i] = items[j] as T
      items[j] = t
    }
    return items
  }
}

/** An account-shaped trie value with a random nonce and balance. */
export function randomAccount(prng: Prng): Uint8Array {
  return encodeAccount({
    nonce: BigInt(prng.int(1_000_000)),
    balance: BigInt(prng.u32()) * BigInt(prng.u32()) * BigInt(1 + prng.int(1000)),
    storageRoot: EMPTY_TRIE_ROOT,
    codeHash: EMPTY_CODE_HASH,
  })
}

export { bigintToBytes }
