import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'vitest'
import { runCli } from './cli'
import { tempDir } from './fixtures'

export interface RecipeRun {
  runId: string
  datasetId: string
  /** The dataset's packed images as they were before it was removed, to compare a recreated one with. */
  images: Buffer
}

/**
 * A run as the demo ships: trained (4 steps, with the real CLI) on 24 procedural faces, its record naming the
 * make-faces recipe of its dataset, and the dataset itself removed from `library`. `steps` sets the run's
 * target, so "resume" has steps left to train.
 */
export async function trainedRunWithoutItsDataset(library: string, steps = 8): Promise<RecipeRun> {
  const faces = path.join(tempDir('recipe-faces'), 'faces')
  expect((await runCli(['make-faces', '--count', '24', '--size', '32', '--seed', '3', '--out', faces])).code).toBe(0)
  const imported = await runCli(['import', faces, '--size', '32', '--name', 'faces 24', '--library', library])
  const datasetId = String(imported.lines.at(-1)?.datasetId)
  const trained = await runCli([
    'train',
    '--dataset',
    datasetId,
    '--width',
    '8',
    '--batch',
    '8',
    '--steps',
    '4',
    '--checkpoint-every',
    '4',
    '--sample-every',
    '4',
    '--library',
    library
  ])
  expect(trained.code).toBe(0)
  const runId = String(trained.lines.at(-1)?.runId)
  const recordFile = path.join(library, 'runs', runId, 'run.json')
  const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { dataset: Record<string, unknown>; train: { steps: number } }
  record.dataset.recipe = { kind: 'procedural-faces', count: 24, size: 32, seed: 3 }
  record.train.steps = steps
  fs.writeFileSync(recordFile, JSON.stringify(record, null, 2))
  const images = fs.readFileSync(path.join(library, 'datasets', datasetId, 'images.u8'))
  fs.rmSync(path.join(library, 'datasets', datasetId), { recursive: true })
  fs.rmSync(faces, { recursive: true })
  return { runId, datasetId, images }
}
