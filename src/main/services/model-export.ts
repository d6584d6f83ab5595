import * as fs from 'node:fs'
import * as path from 'node:path'
import { StudioError } from '../../shared/api/errors'
import { ExportModelParams, type ExportModelResult, type NetName, networksOf } from '../../shared/formats/model-import'
import { RUN_FILES, type RunRecord } from '../../shared/formats/run'
import { writeFileAtomic, writeJsonAtomic } from '../../node/atomic-files'
import { ModelFileError } from '../../node/model-formats/model-file-error'
import { mainPyModuleVersions, toMainPyStateDict } from '../../node/model-formats/pytorch-layout'
import { writeSafetensors } from '../../node/model-formats/safetensors'
import { readStudioTfjsModel, type TfjsNetwork } from '../../node/model-formats/tfjs-layout'
import { MODEL_JSON, WEIGHTS_BIN } from '../../node/model-formats/tfjs-files'
import { writeTorchStateDict } from '../../node/model-formats/torch-file'
import type { RunStore } from './run-store'

/**
 * A run's model in another framework's format (dcgan-studio export-model, Runs → Export model…), written from
 * a checkpoint's files without running it:
 * - pytorch: netG.pth / netD.pth, state dicts pytorch/examples' dcgan/main.py's Generator and Discriminator
 *   load unchanged (`--netG netG.pth` continues training there);
 * - safetensors: the same tensors as netG.safetensors / netD.safetensors;
 * - tfjs: generator/ and discriminator/ as TensorFlow.js layers models, with an ml5-style manifest.json
 *   (`ml5.DCGAN('…/manifest.json')`, or tf.loadLayersModel on generator/model.json).
 */

const FILE_NAMES: Readonly<Record<NetName, string>> = { G: 'netG', D: 'netD' }
const DIRS: Readonly<Record<NetName, string>> = { G: RUN_FILES.generator, D: RUN_FILES.discriminator }

/** `baseDir` is where a relative --out lands: the working folder for the CLI, the library's exports/ in the app. */
export async function exportModel(runs: RunStore, input: ExportModelParams, baseDir: string): Promise<ExportModelResult> {
  const params = ExportModelParams.parse(input)
  const record = await runs.read(params.runId)
  const { dir: checkpoint, step } = await runs.completeCheckpoint(params.runId, params.step)
  const out = path.resolve(baseDir, params.out)
  const networks: [NetName, TfjsNetwork][] = []
  for (const net of networksOf(record)) {
    try {
      networks.push([net, await readStudioTfjsModel(path.join(checkpoint, DIRS[net]))])
    } catch (error) {
      if (error instanceof ModelFileError) throw new StudioError('io_error', `Cannot export run ${record.id} at step ${step}: ${error.message}`)
      throw error
    }
  }
  if (params.format !== 'tfjs') checkMainPyCompatible(record)
  await fs.promises.mkdir(out, { recursive: true })
  const files: string[] = []
  const write = async (name: string, data: Uint8Array | string): Promise<void> => {
    const file = path.join(out, name)
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    await writeFileAtomic(file, data)
    files.push(file)
  }
  for (const [net, network] of networks) {
    if (params.format === 'tfjs') {
      for (const name of [WEIGHTS_BIN, MODEL_JSON]) await write(path.join(DIRS[net], name), await fs.promises.readFile(path.join(checkpoint, DIRS[net], name)))
      continue
    }
    // num_batches_tracked: the steps this BatchNorm has trained (only PyTorch's momentum=None reads it).
    const entries = toMainPyStateDict(net, network.shape, network.weights, step)
    if (params.format === 'pytorch') await write(`${FILE_NAMES[net]}.pth`, writeTorchStateDict(entries, mainPyModuleVersions(net, record.model.imageSize)))
    else await write(`${FILE_NAMES[net]}.safetensors`, writeSafetensors(entries, { format: 'pt', source: `dcgan-studio run ${record.id} step ${step}` }))
  }
  if (params.format === 'tfjs' && networks.some(([net]) => net === 'G')) {
    const manifest = path.join(out, 'manifest.json')
    await writeJsonAtomic(manifest, {
      description: `${record.name}, ${record.model.imageSize}x${record.model.imageSize} (DCGAN Studio, step ${step})`,
      model: `${RUN_FILES.generator}/${MODEL_JSON}`,
      modelSize: record.model.imageSize,
      modelLatentDim: record.model.zDim,
      // Not read by ml5: what a sketch needs to draw z the way the model was trained.
      noise: record.model.noise,
      channels: record.model.channels
    })
    files.push(manifest)
  }
  return { format: params.format, step, dir: out, files }
}

/** main.py's networks are 4×4 kernels with LeakyReLU 0.2; a studio run with others has no main.py equivalent. */
function checkMainPyCompatible(record: RunRecord): void {
  const { kernelSize, leakySlope } = record.model
  if (kernelSize !== 4)
    throw new StudioError(
      'bad_request',
      `Run ${record.id} uses ${kernelSize}×${kernelSize} kernels; pytorch/examples' dcgan/main.py's networks have 4×4 ones, so its weights would not load there. Export it as tfjs instead.`
    )
  if (leakySlope !== 0.2)
    throw new StudioError(
      'bad_request',
      `Run ${record.id}'s discriminator uses LeakyReLU ${leakySlope}; main.py's uses 0.2, so its D would judge differently there. Export it as tfjs instead.`
    )
}
