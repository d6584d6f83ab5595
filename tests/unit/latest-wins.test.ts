import { describe, expect, it } from 'vitest'
import { LatestWins } from '../../src/main/services/latest-wins'

describe('latest request wins', () => {
  it('runs the first and the newest request, superseding the ones in between without queueing them', async () => {
    const gate = new LatestWins()
    const started: number[] = []
    let release: () => void = () => {}
    const slow = (n: number) => () => {
      started.push(n)
      return new Promise<number>((resolve) => {
        release = () => resolve(n)
      })
    }
    const first = gate.run('scrub', slow(1))
    const results = [2, 3, 4].map((n) => gate.run('scrub', slow(n)).catch((e: unknown) => (e as { code: string }).code))
    release()
    expect(await first).toBe(1)
    await new Promise((r) => setTimeout(r, 0))
    release()
    expect(await Promise.all(results)).toEqual(['superseded', 'superseded', 4])
    expect(started).toEqual([1, 4])
  })

  it('keeps channels independent', async () => {
    const gate = new LatestWins()
    const a = gate.run('a', async () => 'a')
    const b = gate.run('b', async () => 'b')
    expect(await Promise.all([a, b])).toEqual(['a', 'b'])
  })
})
