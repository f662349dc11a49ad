import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { P2PKeyError } from './errors.ts'

/** Where the key lives inside a node's data directory. */
export const P2P_KEY_FILE_NAME = 'p2p-key'

export function peerKeyPath(dataDir: string): string {
  return join(dataDir, P2P_KEY_FILE_NAME)
}

/**
 * The node's libp2p identity: read from `path` (libp2p's protobuf encoding of the private key), or,
 * when the file does not exist, a new Ed25519 key written there durably (temp file, fsync,
 * rename; mode 0600) so that the peer id stays the same across restarts. A file that exists but
 * does not hold a key is an error, never silently replaced: peers know this node by its id.
 */
export async function loadOrCreatePeerKey(path: string): Promise<{ key: PrivateKey; created: boolean }> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new P2PKeyError(path, 'cannot be read', error)
  }
  if (bytes) {
    try {
      return { key: privateKeyFromProtobuf(bytes), created: false }
    } catch (error) {
      throw new P2PKeyError(path, 'does not hold a libp2p private key', error)
    }
  }
  const key = await generateKeyPair('Ed25519')
  try {
    await mkdir(dirname(path), { recursive: true })
    const temporary = `${path}.${process.pid}.tmp`
    const file = await open(temporary, 'w', 0o600)
    try {
      await file.writeFile(privateKeyToProtobuf(key))
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temporary, path)
  } catch (error) {
    throw new P2PKeyError(path, 'cannot be written', error)
  }
  return { key, created: true }
}
