import { expect } from 'vitest'
import { type MainPyShape, saveMainPyNets } from './dcgan-main-py'
import { runCli } from './cli'
import { tempDir } from './fixtures'

/**
 * A DCGAN trained a few steps by pytorch/examples' main.py (Debian's PyTorch), imported into `library` as a
 * run with `dcgan-studio import-model`: the "imported PyTorch model" the exploration features are tested on.
 */
export async function importedPyTorchRun(library: string, shape: MainPyShape = { size: 32, nz: 16, ngf: 8, ndf: 8, nc: 3 }): Promise<string> {
  const source = tempDir('main-py-nets')
  await saveMainPyNets(source, shape, { steps: 3, samples: 2, initStd: 0.1 })
  const result = await runCli(['import-model', source, '--library', library, '--name', 'Imported main.py'])
  expect(result.code, result.stderr).toBe(0)
  return String(result.lines.at(-1)?.runId)
}
