/** Argument parsers for commander: each throws commander's InvalidArgumentError with what is expected. */
import { InvalidArgumentError } from 'commander'
import { type Address, getAddress, type Hash, isAddress, parseEther } from 'viem'

export function parseAddress(value: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new InvalidArgumentError('expected an address: 0x and 40 hex digits.')
  }
  return getAddress(value)
}

/** An amount of ETH in decimal (`0.5`, `10`), more than zero. */
export function parseEth(value: string): bigint {
  if (!/^\d+(\.\d{1,18})?$|^\.\d{1,18}$/.test(value)) {
    throw new InvalidArgumentError('expected an amount of ETH, like 0.5 or 10 (at most 18 decimals).')
  }
  const wei = parseEther(value)
  if (wei === 0n) throw new InvalidArgumentError('the amount must be more than zero.')
  return wei
}

export function parseHash(value: string): Hash {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidArgumentError('expected a transaction hash: 0x and 64 hex digits.')
  return value.toLowerCase() as Hash
}

export function parseSeconds(value: string): number {
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a number of seconds.')
  return seconds
}
