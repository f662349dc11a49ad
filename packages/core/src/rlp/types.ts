/** What `encodeRlp` takes: a byte string, a non-negative integer (minimal big-endian), or a list of those. */
export type RlpInput = Uint8Array | bigint | readonly RlpInput[]

/** What `decodeRlp` returns: a byte string or a list of decoded items. */
export type RlpDecoded = Uint8Array | RlpDecoded[]
