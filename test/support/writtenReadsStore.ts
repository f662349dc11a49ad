import { bytesToHex } from '../../packages/core/src/bytes/index.ts'
import { type BatchOp, MemoryStore } from '../../packages/core/src/db/index.ts'

/**
 * A memory store that counts synchronous reads of keys it was asked to write after `track` was set:
 * how a test sees a state re-reading nodes its own commits had just written.
 */
export class WrittenReadsStore extends MemoryStore {
  track = false
  readonly written = new Set<string>()
  writtenReads = 0

  override getSync(key: Uint8Array): Uint8Array | undefined {
    if (this.written.has(bytesToHex(key))) this.writtenReads++
    return super.getSync(key)
  }

  override async batch(ops: readonly BatchOp[]): Promise<void> {
    if (this.track) for (const op of ops) if (op.type === 'put') this.written.add(bytesToHex(op.key))
    return super.batch(ops)
  }
}
