/**
 * A binary heap ordered by `before(a, b)` (true when `a` must come out before `b`). Plain array,
 * no decrease-key: callers that need removal push fresh entries and skip stale ones on pop.
 */
export class Heap<T> {
  readonly #items: T[]
  readonly #before: (a: T, b: T) => boolean

  constructor(before: (a: T, b: T) => boolean, items: T[] = []) {
    this.#before = before
    this.#items = items
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#down(i)
  }

  get size(): number {
    return this.#items.length
  }

  peek(): T | undefined {
    return this.#items[0]
  }

  push(item: T): void {
    const items = this.#items
    items.push(item)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#before(items[i] as T, items[parent] as T)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last !== undefined) {
      items[0] = last
      this.#down(0)
    }
    return top
  }

  #down(start: number): void {
    const items = this.#items
    const n = items.length
    let i = start
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) return
      const right = left + 1
      let best = left
      if (right < n && this.#before(items[right] as T, items[left] as T)) best = right
      if (!this.#before(items[best] as T, items[i] as T)) return
      this.#swap(i, best)
      i = best
    }
  }

  #swap(a: number, b: number): void {
    const items = this.#items
    const t = items[a] as T
    items[a] = items[b] as T
    items[b] = t
  }
}
