import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatasetDraft, newDatasetId, removeAbandonedDrafts } from './dataset-draft'
import { makeTempDir, removeDir } from './test-support'

let work: string

beforeAll(async () => {
  work = await makeTempDir('draft')
})

afterAll(async () => {
  await removeDir(work)
})

describe('dataset drafts', () => {
  it('makes ids from the name that are safe as folder names, and never the same twice', () => {
    expect(newDatasetId('My Holiday Photos (2024)!')).toMatch(/^my-holiday-photos-2024-[0-9a-f]{6}$/)
    expect(newDatasetId('../../etc')).toMatch(/^etc-[0-9a-f]{6}$/)
    expect(newDatasetId('猫')).toMatch(/^dataset-[0-9a-f]{6}$/)
    expect(newDatasetId('x')).not.toBe(newDatasetId('x'))
  })

  it('removes drafts abandoned by a crashed import, but not one still being written', async () => {
    const datasetsDir = path.join(work, 'datasets')
    const live = await DatasetDraft.create(datasetsDir, 'live-000000', false)
    const dead = await DatasetDraft.create(datasetsDir, 'dead-000000', false)
    await dead.appendImages(new Uint8Array(10))
    // The crashed process never closed its files; age the draft instead of waiting an hour.
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000)
    for (const p of [path.join(dead.dir, 'images.u8'), dead.dir]) await fs.utimes(p, old, old)
    await fs.mkdir(path.join(datasetsDir, 'finished-000000'))

    expect(await removeAbandonedDrafts(datasetsDir)).toEqual([dead.dir])
    expect((await fs.readdir(datasetsDir)).sort()).toEqual(['.tmp-live-000000', 'finished-000000'])
    await live.discard()
    await dead.discard()
    expect(await fs.readdir(datasetsDir)).toEqual(['finished-000000'])
  })
})
