/**
 * Generates the Merkle-Patricia-trie vectors that the forge tests in test/libraries/trie check
 * MerkleTrie.sol and SecureMerkleTrie.sol against, using @ethereumjs/mpt as the reference:
 *
 *   test/vectors/mpt/index.json    { "files": N }
 *   test/vectors/mpt/<i>.json      one random trie: { "name", "get": [...], "update": [...] }
 *   test/vectors/mpt/sequence.json successive inserts from the empty trie, each with its proof
 *   test/vectors/mpt/gas.json      proofs of realistic depth for the gas measurements
 *
 * Deterministic (seeded). Skips the work when the vectors are newer than this script, unless
 * called with --force.
 *
 *   node scripts/mpt-vectors.ts [--force]
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMerkleProof, createMPT, type MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, concatBytes, equalBytes, keccak256 } from '@sluice/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'test', 'vectors', 'mpt')
const self = fileURLToPath(import.meta.url)

interface GetCase {
  root: string
  key: string
  proof: string[]
  value: string
  exists: boolean
  secure: boolean
}

interface UpdateCase {
  root: string
  key: string
  proof: string[]
  value: string
  newRoot: string
  secure: boolean
}

/** A small deterministic PRNG (xorshift128+ on BigInt-free 32-bit halves: sfc32). */
function rng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 + seed
  let c = 0xb7e15162 ^ (seed * 31)
  let d = 1
  return () => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
}

type Rand = () => number

function randInt(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1))
}

function randBytes(r: Rand, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256)
  return out
}

/** A non-empty value of the given shape. */
function randValue(r: Rand, shape: ValueShape): Uint8Array {
  switch (shape) {
    case 'tiny':
      return randBytes(r, randInt(r, 1, 3)).map((b, i) => (i === 0 && b === 0 ? 1 : b))
    case 'small':
      return randBytes(r, randInt(r, 1, 20))
    case 'word':
      return randBytes(r, 32)
    case 'large':
      return randBytes(r, randInt(r, 50, 300))
    case 'account': {
      const nonce = randInt(r, 0, 1000)
      const balance = randBytes(r, randInt(r, 0, 32))
      const trimmed = balance[0] === 0 ? balance.subarray(1) : balance
      return RLP.encode([nonce, trimmed, randBytes(r, 32), randBytes(r, 32)])
    }
  }
}

type ValueShape = 'tiny' | 'small' | 'word' | 'account' | 'large'
type KeyShape = 'var' | 'short' | 'fixed20' | 'fixed32'

function randKey(r: Rand, shape: KeyShape): Uint8Array {
  switch (shape) {
    case 'var':
      return randBytes(r, randInt(r, 1, 6))
    case 'short':
      return randBytes(r, randInt(r, 1, 2))
    case 'fixed20':
      return randBytes(r, 20)
    case 'fixed32':
      return randBytes(r, 32)
  }
}

const hex = (b: Uint8Array): string => bytesToHex(b)

async function newTrie(secure: boolean): Promise<MerklePatriciaTrie> {
  return createMPT({ useKeyHashing: secure, useKeyHashingFunction: keccak256 })
}

async function proofOf(trie: MerklePatriciaTrie, key: Uint8Array): Promise<string[]> {
  const proof = await createMerkleProof(trie, key)
  // The empty trie: an explicit empty root node keeps every proof array non-empty in JSON.
  return proof.length === 0 ? ['0x80'] : proof.map(hex)
}

/** A key not in `keys`, sometimes close to an existing one so the walk diverges deep in the trie. */
function absentKey(r: Rand, shape: KeyShape, keys: Uint8Array[], present: Set<string>): Uint8Array {
  for (;;) {
    let k: Uint8Array
    const base = keys[randInt(r, 0, keys.length - 1)]
    const mode = randInt(r, 0, 3)
    if (base === undefined || mode === 0) {
      k = randKey(r, shape)
    } else if (mode === 1) {
      k = base.slice()
      const i = randInt(r, 0, k.length - 1)
      k[i] = (k[i] ?? 0) ^ (1 << randInt(r, 0, 7)) // flip one bit: shares a prefix
    } else if (mode === 2 && shape === 'var') {
      k = concatBytes(base, randBytes(r, randInt(r, 1, 2))) // extends an existing key
    } else if (mode === 3 && shape === 'var' && base.length > 1) {
      k = base.slice(0, randInt(r, 1, base.length - 1)) // a prefix of an existing key
    } else {
      k = randKey(r, shape)
    }
    if (!present.has(hex(k))) return k
  }
}

interface TrieSpec {
  name: string
  secure: boolean
  keys: KeyShape
  values: ValueShape
  size: number
}

async function trieVectors(
  spec: TrieSpec,
  seed: number,
): Promise<{ name: string; get: GetCase[]; update: UpdateCase[] }> {
  const r = rng(seed)
  const trie = await newTrie(spec.secure)
  const keys: Uint8Array[] = []
  const values = new Map<string, Uint8Array>()
  while (keys.length < spec.size) {
    const k = randKey(r, spec.keys)
    if (values.has(hex(k))) continue
    const v = randValue(r, spec.values)
    keys.push(k)
    values.set(hex(k), v)
    await trie.put(k, v)
  }
  const rootHash = trie.root()
  const rootHex = hex(rootHash)
  const get: GetCase[] = []
  const update: UpdateCase[] = []
  const present = new Set(values.keys())

  /** The root with `k` set to `v`, from a copy (the trie itself is left unchanged); for small tries
   *  also checked against a trie built from scratch, so a bug in one insertion path shows up. */
  const rootWith = async (k: Uint8Array, v: Uint8Array): Promise<string> => {
    const copy = trie.shallowCopy(false)
    await copy.put(k, v)
    if (keys.length <= 300) {
      const fresh = await newTrie(spec.secure)
      for (const key of keys) if (!equalBytes(key, k)) await fresh.put(key, values.get(hex(key))!)
      await fresh.put(k, v)
      if (!equalBytes(fresh.root(), copy.root())) throw new Error(`${spec.name}: incremental and fresh roots differ`)
    }
    return hex(copy.root())
  }
  const sample = Math.min(keys.length, 12)

  for (let i = 0; i < sample; i++) {
    const k = keys[randInt(r, 0, keys.length - 1)]!
    const proof = await proofOf(trie, k)
    const checked = await verifyMerkleProof(k, await createMerkleProof(trie, k), {
      useKeyHashing: spec.secure,
      useKeyHashingFunction: keccak256,
    })
    if (checked === null || !equalBytes(checked, values.get(hex(k))!))
      throw new Error(`${spec.name}: bad inclusion proof`)
    get.push({ root: rootHex, key: hex(k), proof, value: hex(values.get(hex(k))!), exists: true, secure: spec.secure })

    // Update an existing key, then restore it.
    const v = randValue(r, spec.values)
    if (equalBytes(v, values.get(hex(k))!)) continue
    update.push({
      root: rootHex,
      key: hex(k),
      proof,
      value: hex(v),
      newRoot: await rootWith(k, v),
      secure: spec.secure,
    })
  }
  for (let i = 0; i < sample; i++) {
    const k = absentKey(r, spec.keys, keys, present)
    const proof = await proofOf(trie, k)
    get.push({ root: rootHex, key: hex(k), proof, value: '0x', exists: false, secure: spec.secure })
    const v = randValue(r, spec.values)
    update.push({
      root: rootHex,
      key: hex(k),
      proof,
      value: hex(v),
      newRoot: await rootWith(k, v),
      secure: spec.secure,
    })
  }
  if (!equalBytes(trie.root(), rootHash)) throw new Error(`${spec.name}: root changed after restoring`)
  return { name: spec.name, get, update }
}

/** Successive inserts from the empty trie; each case's proof is against the root before it. */
async function sequenceVectors(secure: boolean, keyShape: KeyShape, valueShape: ValueShape, n: number, seed: number) {
  const r = rng(seed)
  const trie = await newTrie(secure)
  const cases: UpdateCase[] = []
  const seen = new Set<string>()
  while (cases.length < n) {
    const k = randKey(r, keyShape)
    const v = randValue(r, valueShape)
    // Mostly new keys, sometimes an overwrite of an earlier one.
    const before = hex(trie.root())
    const proof = await proofOf(trie, k)
    await trie.put(k, v)
    seen.add(hex(k))
    cases.push({ root: before, key: hex(k), proof, value: hex(v), newRoot: hex(trie.root()), secure })
  }
  return cases
}

// ------------------------------------------------------------------ gas-measurement proofs

/** A branch node with all 16 children set to random hashes except `slot`, which gets `child`. */
function fullBranch(r: Rand, slot: number, child: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = []
  for (let i = 0; i < 16; i++) items.push(i === slot ? child : randBytes(r, 32))
  items.push(new Uint8Array(0))
  return items
}

function nibblesOf(key: Uint8Array): number[] {
  const out: number[] = []
  for (const b of key) out.push(b >> 4, b & 15)
  return out
}

function hexPrefix(nibbles: number[], leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2
  const out = new Uint8Array(Math.floor(nibbles.length / 2) + 1)
  const flag = (leaf ? 2 : 0) + odd
  let j = 0
  if (odd) out[0] = (flag << 4) | nibbles[j++]!
  else out[0] = flag << 4
  for (let i = 1; i < out.length; i++, j += 2) out[i] = (nibbles[j]! << 4) | nibbles[j + 1]!
  return out
}

/**
 * A proof of the shape a secure trie of ~16^(depth) accounts has: `depth` full branches (each
 * ~532 bytes) above the account's leaf. The other children are random hashes, so the root is that
 * of a (virtual) trie; the expected root after an update is computed the same way.
 */
function syntheticAccountProof(r: Rand, address: Uint8Array, depth: number, value: Uint8Array, newValue: Uint8Array) {
  const path = nibblesOf(keccak256(address))
  const leafPath = path.slice(depth)
  const build = (v: Uint8Array, siblings: Uint8Array[][]) => {
    const nodes: Uint8Array[] = []
    let node = RLP.encode([hexPrefix(leafPath, true), v])
    nodes.unshift(node)
    for (let d = depth - 1; d >= 0; d--) {
      const items = siblings[d]!.slice()
      items[path[d]!] = keccak256(node)
      node = RLP.encode(items)
      nodes.unshift(node)
    }
    return { root: keccak256(node), nodes }
  }
  const siblings: Uint8Array[][] = []
  for (let d = 0; d < depth; d++) siblings.push(fullBranch(r, path[d]!, new Uint8Array(32)))
  const before = build(value, siblings)
  const after = build(newValue, siblings)
  return { root: hex(before.root), proof: before.nodes.map(hex), newRoot: hex(after.root) }
}

async function gasVectors() {
  const r = rng(0x6a5)
  const account = (n: number) => RLP.encode([n, randBytes(r, 9), randBytes(r, 32), randBytes(r, 32)])
  const out: Record<string, unknown> = {}
  // Synthetic shapes: 6 full branches ~ a trie of 16^6 = 16.7M accounts, 5 ~ 1M.
  for (const depth of [5, 6]) {
    const address = randBytes(r, 20)
    const v = account(1)
    const nv = account(2)
    const s = syntheticAccountProof(r, address, depth, v, nv)
    out[`synthetic${depth}`] = { ...s, key: hex(address), value: hex(v), newValue: hex(nv) }
  }
  // A real secure trie of 100,000 accounts built with @ethereumjs/mpt.
  const trie = await newTrie(true)
  let target: Uint8Array = new Uint8Array(0)
  let targetValue: Uint8Array = new Uint8Array(0)
  for (let i = 0; i < 100_000; i++) {
    const a = randBytes(r, 20)
    const v = account(i)
    if (i === 12_345) {
      target = a
      targetValue = v
    }
    await trie.put(a, v)
  }
  const before = hex(trie.root())
  const proof = await proofOf(trie, target)
  const fresh = randBytes(r, 20)
  const insertProof = await proofOf(trie, fresh)
  const newValue = account(777)
  await trie.put(target, newValue)
  const newRoot = hex(trie.root())
  await trie.put(target, targetValue)
  const insertValue = account(778)
  await trie.put(fresh, insertValue)
  out.real100k = {
    root: before,
    key: hex(target),
    proof,
    value: hex(targetValue),
    newValue: hex(newValue),
    newRoot,
    insertKey: hex(fresh),
    insertProof,
    insertValue: hex(insertValue),
    insertNewRoot: hex(trie.root()),
  }
  return out
}

// ------------------------------------------------------------------ main

function stale(): boolean {
  if (process.argv.includes('--force')) return true
  const index = join(outDir, 'index.json')
  if (!existsSync(index) || !existsSync(join(outDir, 'gas.json'))) return true
  return statSync(index).mtimeMs < statSync(self).mtimeMs
}

if (!stale()) {
  console.log('mpt-vectors: up to date')
  process.exit(0)
}

mkdirSync(outDir, { recursive: true })
const specs: TrieSpec[] = []
const sizes = [1, 2, 3, 5, 8, 16, 17, 40, 100, 300, 1000, 2000]
for (const size of sizes) {
  specs.push({ name: `plain-var-small-${size}`, secure: false, keys: 'var', values: 'small', size })
  specs.push({ name: `secure-account-${size}`, secure: true, keys: 'fixed20', values: 'account', size })
  specs.push({ name: `secure-word-${size}`, secure: true, keys: 'fixed32', values: 'word', size })
  if (size <= 300) specs.push({ name: `plain-short-tiny-${size}`, secure: false, keys: 'short', values: 'tiny', size })
  if (size <= 100) specs.push({ name: `secure-tiny-${size}`, secure: true, keys: 'fixed32', values: 'tiny', size })
  if (size <= 300) specs.push({ name: `plain-var-large-${size}`, secure: false, keys: 'var', values: 'large', size })
}
let files = 0
const started = performance.now()
for (const [i, spec] of specs.entries()) {
  const v = await trieVectors(spec, 1000 + i)
  writeFileSync(join(outDir, `${files}.json`), JSON.stringify(v))
  files++
}
const sequence = {
  plainTiny: await sequenceVectors(false, 'short', 'tiny', 120, 7),
  plainVar: await sequenceVectors(false, 'var', 'small', 150, 8),
  secureAccount: await sequenceVectors(true, 'fixed20', 'account', 150, 9),
  secureTiny: await sequenceVectors(true, 'fixed32', 'tiny', 150, 10),
}
writeFileSync(join(outDir, 'sequence.json'), JSON.stringify(sequence))
writeFileSync(join(outDir, 'gas.json'), JSON.stringify(await gasVectors()))
writeFileSync(join(outDir, 'index.json'), JSON.stringify({ files }))
console.log(
  `mpt-vectors: ${files} tries + sequences + gas proofs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
)
