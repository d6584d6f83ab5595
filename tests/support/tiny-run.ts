import { expect } from 'vitest'
import { runCli } from './cli'
import { tempDir, writeDiscImages } from './fixtures'

export interface TinyRun {
  library: string
  datasetId: string
  runId: string
}

/**
 * A small model trained for real with the built CLI and engine: `images` generated disc images imported at
 * 32 px, then `steps` steps of a width-8 DCGAN with one checkpoint at the end. Tests that explore or export
 * a trained model start here (a couple of seconds on wasm).
 */
export async function trainTinyRun(
  options: { images?: number; seed?: number; steps?: number; batch?: number; extra?: string[]; library?: string } = {}
): Promise<TinyRun> {
  const { images = 16, seed = 1, steps = 10, batch = 8, extra = [] } = options
  const library = options.library ?? tempDir('tiny-library')
  const source = tempDir('tiny-source')
  await writeDiscImages(source, images, seed)
  const imported = await runCli(['import', source, '--size', '32', '--library', library])
  expect(imported.code).toBe(0)
  const datasetId = String(imported.lines.at(-1)?.datasetId)
  const trained = await runCli([
    'train',
    '--dataset',
    datasetId,
    '--width',
    '8',
    '--batch',
    String(batch),
    '--steps',
    String(steps),
    '--checkpoint-every',
    String(steps),
    '--sample-every',
    String(steps),
    '--library',
    library,
    ...extra
  ])
  expect(trained.code).toBe(0)
  return { library, datasetId, runId: String(trained.lines.at(-1)?.runId) }
}
