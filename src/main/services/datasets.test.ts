import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeDataset } from '../../node/test-datasets'
import { StudioError } from '../../shared/api/errors'
import { Datasets } from './datasets'
import { Jobs } from './jobs'
import { Library } from './library'

let root: string
let datasets: Datasets

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-datasets-'))
  datasets = new Datasets(Library.open(root), new Jobs(() => undefined))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('Datasets', () => {
  it('lists, describes and previews a dataset through the shared reader', async () => {
    await writeDataset(path.join(root, 'datasets', 'gray'), { size: 8, channels: 1, images: new Uint8Array(3 * 64).fill(9), name: 'Gray' })
    expect((await datasets.list()).map((d) => d.id)).toEqual(['gray'])
    expect(await datasets.get('gray')).toMatchObject({ name: 'Gray', count: 3 })
    const preview = await datasets.preview('gray', 1, 10)
    expect(preview.total).toBe(3)
    expect(preview.images).toHaveLength(2)
    expect([...(preview.images[0]?.data.subarray(0, 4) ?? [])]).toEqual([9, 9, 9, 255])
  })

  it('answers a missing or damaged dataset with an io_error that names the file', async () => {
    const missing = datasets.get('nothing-here')
    await expect(missing).rejects.toBeInstanceOf(StudioError)
    await expect(missing).rejects.toMatchObject({
      code: 'io_error',
      message: expect.stringContaining(path.join(root, 'datasets', 'nothing-here', 'manifest.json'))
    })

    const dir = path.join(root, 'datasets', 'damaged')
    await writeDataset(dir, { size: 8, channels: 1, images: new Uint8Array(4 * 64) })
    await truncate(path.join(dir, 'images.u8'), 100)
    await expect(datasets.preview('damaged', 0, 4)).rejects.toMatchObject({
      code: 'io_error',
      details: { file: path.join(dir, 'images.u8') },
      message: expect.stringMatching(/images\.u8 holds 100 bytes .* Import the images again\.$/)
    })

    // One whose manifest is damaged is left out of the list rather than breaking it.
    await writeFile(path.join(dir, 'manifest.json'), '{')
    expect((await datasets.list()).map((d) => d.id)).toEqual(['gray'])
    await expect(datasets.get('damaged')).rejects.toMatchObject({ code: 'io_error', details: { file: path.join(dir, 'manifest.json') } })
  })
})
