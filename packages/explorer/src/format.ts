/** Formatting of the node's JSON (hex quantities) for people. */
import type { Hex } from './rpc.ts'

export const big = (value: Hex | string | null | undefined): bigint | undefined =>
  value === null || value === undefined ? undefined : BigInt(value)

export const num = (value: Hex | string | number | null | undefined): number | undefined =>
  value === null || value === undefined ? undefined : typeof value === 'number' ? value : Number(BigInt(value))

const WEI = 10n ** 18n

/** Wei as ETH with up to `digits` decimals, trailing zeros dropped. */
export function eth(wei: bigint | undefined, digits = 6): string {
  if (wei === undefined) return '—'
  const negative = wei < 0n
  const abs = negative ? -wei : wei
  const whole = abs / WEI
  const fraction = (abs % WEI).toString().padStart(18, '0').slice(0, digits).replace(/0+$/, '')
  const text = fraction === '' ? whole.toString() : `${whole}.${fraction}`
  if (text === '0' && abs > 0n) return `< 0.${'0'.repeat(digits - 1)}1 ETH`
  return `${negative ? '-' : ''}${text} ETH`
}

/** Wei as gwei, for fees. */
export function gwei(wei: bigint | undefined): string {
  if (wei === undefined) return '—'
  const g = Number(wei) / 1e9
  return `${g < 0.001 && g > 0 ? g.toExponential(2) : g.toLocaleString('en-US', { maximumFractionDigits: 3 })} gwei`
}

export function short(hex: string | null | undefined, keep = 6): string {
  if (hex === null || hex === undefined) return '—'
  return hex.length <= 2 + keep * 2 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`
}

export function integer(value: number | bigint | undefined): string {
  return value === undefined ? '—' : value.toLocaleString('en-US')
}

/** "12 s", "4 min 3 s", "2 h 5 min". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** "5 s ago" from a unix timestamp in seconds. */
export function ago(timestamp: number | undefined, now = Date.now() / 1000): string {
  if (timestamp === undefined) return '—'
  const delta = now - timestamp
  return delta < 0 ? 'in the future' : `${duration(delta)} ago`
}

export function time(timestamp: number | undefined): string {
  return timestamp === undefined ? '—' : new Date(timestamp * 1000).toISOString().replace('T', ' ').slice(0, 19)
}

export const isAddress = (text: string): boolean => /^0x[0-9a-fA-F]{40}$/.test(text)
export const isHash = (text: string): boolean => /^0x[0-9a-fA-F]{64}$/.test(text)
