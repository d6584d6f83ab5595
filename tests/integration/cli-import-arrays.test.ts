import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { runPython } from '../support/python'

beforeAll(() => ensureBuilt(), 300_000)

/** A tiny file of each research format, as numpy and scipy write them. */
const WRITE = String.raw`
import sys, os, numpy as np, scipy.io
root = sys.argv[1]
rng = np.random.RandomState(1)
os.makedirs(root + '/cifar-10-batches-bin')
def batch(path, n):
    labels = (np.arange(n) % 10).astype(np.uint8)[:, None]
    images = rng.randint(0, 256, size=(n, 3 * 32 * 32)).astype(np.uint8)
    open(path, 'wb').write(np.concatenate([labels, images], axis=1).tobytes())
batch(root + '/cifar-10-batches-bin/data_batch_1.bin', 12)
batch(root + '/cifar-10-batches-bin/test_batch.bin', 5)
open(root + '/cifar-10-batches-bin/batches.meta.txt', 'w').write('\n'.join(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']) + '\n')
scipy.io.savemat(root + '/train_32x32.mat', dict(X=rng.randint(0, 256, size=(32, 32, 3, 7)).astype(np.uint8), y=np.array([[10], [1], [2], [3], [4], [5], [6]], np.uint8)))
np.savez(root + '/faces.npz', images=rng.rand(6, 16, 16).astype(np.float32), labels=np.array([0, 1, 0, 1, 2, 2]))
`

interface DoneLine {
  event: string
  datasetId: string
  name: string
  count: number
  size: number
  channels: number
  classes: string[] | null
}

describe('dcgan-studio import of research datasets', () => {
  const work = tempDir('cli-import-arrays')
  const library = path.join(work, 'library')
  beforeAll(() => {
    runPython(WRITE, [work], ['numpy', 'scipy'])
  })

  const done = async (args: string[]): Promise<DoneLine> => {
    const result = await runCli(['import', ...args, '--library', library])
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.lines.at(-1))}`).toBe(0)
    return result.lines.at(-1) as unknown as DoneLine
  }

  it('imports CIFAR-10 training batches or the test batch from their folder, with the class names', async () => {
    const folder = path.join(work, 'cifar-10-batches-bin')
    expect(await done(['--cifar', folder])).toMatchObject({
      event: 'done',
      name: 'CIFAR-10 data_batch_1',
      count: 12,
      size: 32,
      channels: 3,
      classes: expect.arrayContaining(['airplane', 'truck'])
    })
    expect(await done(['--cifar', folder, '--split', 'test', '--size', '16', '--name', 'cifar test'])).toMatchObject({ name: 'cifar test', count: 5, size: 16 })
  })

  it('imports SVHN digits and a numpy .npz with its labels', async () => {
    expect(await done(['--svhn', path.join(work, 'train_32x32.mat'), '--limit', '4'])).toMatchObject({
      name: 'SVHN train',
      count: 4,
      channels: 3,
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
    })
    expect(await done(['--npy', path.join(work, 'faces.npz')])).toMatchObject({ name: 'faces', count: 6, size: 16, channels: 1, classes: null })
  })

  it('says which source flags go together', async () => {
    const both = await runCli(['import', '--svhn', 'a.mat', '--npy', 'b.npy', '--library', library])
    expect(both.code).toBe(2)
    expect(both.lines.at(-1)).toMatchObject({ error: { code: 'usage', message: 'Give one source to import, not --svhn and --npy.' } })
    const labels = await runCli(['import', '--svhn', 'a.mat', '--labels', 'y.npy', '--library', library])
    expect(labels.lines.at(-1)).toMatchObject({ error: { code: 'usage', message: expect.stringContaining('--labels goes with --idx or --npy') } })
    const split = await runCli(['import', '--cifar', work, '--split', 'validation', '--library', library])
    expect(split.lines.at(-1)).toMatchObject({ error: { code: 'usage', message: expect.stringContaining('split') } })
  })
})
