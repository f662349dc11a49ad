import { describe, expect, it } from 'vitest'
import { ExecutionBudget } from '../../src/builder/executionBudget.ts'

describe('ExecutionBudget', () => {
  it('lets the first block take up to the limit, before any cost is known', () => {
    expect(new ExecutionBudget({ budgetMs: 100 }).maxTransactions(20_000)).toBe(20_000)
  })

  it('sizes the next block to the budget at the measured cost per transaction', () => {
    const budget = new ExecutionBudget({ budgetMs: 100 })
    budget.observe(4_000, 400) // 0.1 ms per transaction
    expect(budget.maxTransactions(20_000)).toBe(1_000)
    expect(budget.maxTransactions(600)).toBe(600)
  })

  it('follows a machine that slows down, smoothly, and never goes below its minimum', () => {
    const budget = new ExecutionBudget({ budgetMs: 100, minimum: 256, weight: 0.5 })
    budget.observe(1_000, 100) // 0.1 ms
    budget.observe(1_000, 300) // 0.3 ms: the average moves halfway, to 0.2 ms
    expect(budget.maxTransactions(20_000)).toBe(500)
    for (let i = 0; i < 20; i++) budget.observe(1_000, 5_000) // 5 ms per transaction
    expect(budget.maxTransactions(20_000)).toBe(256)
  })

  it('ignores blocks too small to time', () => {
    const budget = new ExecutionBudget({ budgetMs: 100 })
    budget.observe(3, 90)
    expect(budget.maxTransactions(20_000)).toBe(20_000)
  })

  it('refuses a budget that is not positive', () => {
    expect(() => new ExecutionBudget({ budgetMs: 0 })).toThrow(/execution budget must be a positive number of ms/)
  })
})
