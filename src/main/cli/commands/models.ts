import { ExportFormat, MODEL_FORMAT_LABELS, ModelFormatChoice } from '../../../shared/formats/model-import'
import { exportModel } from '../../services/model-export'
import type { NoiseSpec } from '../../../shared/formats/model'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption, withCliStudio } from '../studio-session'

export const importModelHelp = `dcgan-studio import-model PATH [--format auto|pytorch|safetensors|tfjs|theano] [--name N] [--noise normal|uniform] [--statistics-samples N] [--json]
  Makes a run of a DCGAN trained elsewhere, to explore, sample, export and train further here:
  - pytorch: the state dicts pytorch/examples' dcgan/main.py saves (netG.pth, netD.pth, netG_epoch_N.pth;
    keys main.N.*, also without "main." or under "module.main."), torch.save's zip or legacy format;
  - safetensors: the same tensors as .safetensors files;
  - tfjs: a TensorFlow.js model the studio exported (a folder with model.json, or generator/ and discriminator/);
  - theano: the paper authors' released parameters (Newmu/dcgan_code: EPOCH_gen_params.jl and
    EPOCH_discrim_params.jl with their .npy files), computed as their Theano code does; their batch norm kept
    no population statistics, so these are estimated at import from 2048 z (D's from G's images;
    --statistics-samples N, at least 128, for more or fewer).
  PATH is one file (that network alone) or a folder holding G and D. nz, ngf, ndf, nc and the image size
  (32, 64 or 128) are read from the tensors' shapes. --noise is the z distribution it was trained on:
  normal is N(0, 1), as main.py samples it (the default); uniform is [-1, 1], the paper's. The run has no
  training history; "resume RUN --dataset ID" trains it further (a fresh optimiser state).`

export async function importModelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    {
      format: { type: 'string', default: 'auto' },
      name: { type: 'string' },
      noise: { type: 'string', default: 'normal' },
      'statistics-samples': { type: 'string' }
    },
    true
  )
  const source = positionals[0]
  if (!source || positionals.length > 1) throw new UsageError('Give the PATH of one model file or of a folder holding netG and netD.')
  const format = ModelFormatChoice.safeParse(values.format)
  if (!format.success) throw new UsageError(`--format must be one of ${ModelFormatChoice.options.join(', ')}, not "${values.format}".`)
  const noise = noiseOption(values.noise)
  const out = makeOutput(values.json)
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const statisticsSamples = parseIntOption('statistics-samples', values['statistics-samples'])
    const record = await studio.runs.importModel({
      source,
      format: format.data,
      noise,
      ...(values.name ? { name: values.name } : {}),
      ...(statisticsSamples ? { statisticsSamples } : {})
    })
    const imported = record.imported
    const m = record.model
    out.emit({ event: 'imported', runId: record.id, name: record.name, model: m, imported })
    out.say(`Imported ${imported?.files.map((f) => f.path).join(' and ')} as run ${record.id} ("${record.name}").`)
    out.say(
      `  ${m.imageSize}px, ${m.channels} channel(s), nz ${m.zDim}` +
        (imported?.architecture.genWidth ? `, ngf ${imported.architecture.genWidth}` : ', no generator') +
        (imported?.architecture.discWidth ? `, ndf ${imported.architecture.discWidth}` : ', no discriminator') +
        `; z ~ ${m.noise.kind === 'normal' ? `N(${m.noise.mean}, ${m.noise.std})` : `U[${m.noise.low}, ${m.noise.high}]`}.`
    )
    for (const note of imported?.notes ?? []) out.say(`  note: ${note}`)
    return 0
  })
}

function noiseOption(value: string): NoiseSpec {
  if (value === 'normal') return { kind: 'normal', mean: 0, std: 1 }
  if (value === 'uniform') return { kind: 'uniform', low: -1, high: 1 }
  throw new UsageError(`--noise must be normal (N(0, 1), main.py's) or uniform ([-1, 1], the paper's), not "${value}".`)
}

export const exportModelHelp = `dcgan-studio export-model RUN [--checkpoint STEP] --format pytorch|safetensors|tfjs --out DIR [--json]
  Writes a run's model (the latest checkpoint, or STEP) into DIR for use elsewhere:
  - pytorch: netG.pth and netD.pth, state dicts that pytorch/examples' dcgan/main.py loads unchanged
    (python main.py --netG DIR/netG.pth --netD DIR/netD.pth --nz NZ --ngf NGF --ndf NDF … continues training);
  - safetensors: the same tensors as netG.safetensors and netD.safetensors;
  - tfjs: generator/ and discriminator/ as TensorFlow.js layers models, and manifest.json for ml5.DCGAN
    (modelLatentDim, modelSize; model: generator/model.json).`

export async function exportModelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { checkpoint: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, true)
  const runId = positionals[0]
  if (!runId || positionals.length > 1) throw new UsageError('Give the RUN id to export (see "dcgan-studio runs").')
  const format = ExportFormat.safeParse(values.format)
  if (!format.success) throw new UsageError(`--format must be one of ${ExportFormat.options.join(', ')}.`)
  if (!values.out) throw new UsageError('--out DIR is required: the folder to write the model into.')
  const out = makeOutput(values.json)
  return withCliStudio(values.library, null, async (studio) => {
    const result = await exportModel(
      studio.runs.store,
      { runId, step: parseIntOption('checkpoint', values.checkpoint) ?? null, format: format.data, out: values.out as string },
      process.cwd()
    )
    out.emit({ event: 'exported', runId, ...result })
    out.say(`Exported run ${runId} at step ${result.step} as ${MODEL_FORMAT_LABELS[result.format]}:`)
    for (const file of result.files) out.say(`  ${file}`)
    return 0
  })
}
