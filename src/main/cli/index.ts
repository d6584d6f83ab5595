/**
 * `dcgan-studio <verb>`: the studio without a UI, over the same services as the app and web mode.
 * Every verb takes --library DIR (or DCGAN_STUDIO_HOME) and --json.
 */
import { StudioError } from '../../shared/api/errors'
import { UsageError } from './args'
import { benchCommand, benchHelp } from './commands/bench'
import { canvasCommand, canvasHelp } from './commands/canvas'
import { trainClassifierCommand, trainClassifierHelp, verifyDemoCommand, verifyDemoHelp } from './commands/demo'
import { directionsCommand, directionsHelp } from './commands/directions'
import { doctor, doctorHelp } from './commands/doctor'
import { exportCommand, exportHelp, exportWalkCommand, exportWalkHelp } from './commands/export'
import { probeCommand, probeHelp, projectCommand, projectHelp } from './commands/experiments'
import { forgetCommand, forgetHelp } from './commands/forget'
import { gridCommand, gridHelp } from './commands/grid'
import { arithmeticCommand, arithmeticHelp, featuresCommand, featuresHelp, guidedCommand, guidedHelp, walkCommand, walkHelp } from './commands/explore'
import { importCommand, importHelp } from './commands/import'
import { makeFacesCommand, makeFacesHelp } from './commands/make-faces'
import { exportModelCommand, exportModelHelp, importModelCommand, importModelHelp } from './commands/models'
import { runsCommand, runsHelp, sampleCommand, sampleHelp } from './commands/runs'
import { serve, serveHelp } from './commands/serve'
import { start, startHelp } from './commands/start'
import { resumeCommand, resumeHelp, trainCommand, trainHelp } from './commands/train'

interface Verb {
  summary: string
  help: string
  run(argv: string[]): Promise<number>
}

const verbs: Record<string, Verb> = {
  bench: { summary: 'measure training and generation speed against the PyTorch reference', help: benchHelp, run: benchCommand },
  doctor: { summary: 'check the installation: versions, engine backend, GPU, ffmpeg, library', help: doctorHelp, run: doctor },
  serve: { summary: 'web mode: serve the studio to your browser (loopback, secret token)', help: serveHelp, run: (a) => serve(a) },
  start: { summary: 'start the app (Electron when possible, else web mode) — what npm start runs', help: startHelp, run: start },
  import: { summary: 'import a folder of images, or an IDX, CIFAR, SVHN or NumPy file, as a dataset', help: importHelp, run: importCommand },
  'import-model': {
    summary: 'make a run of a DCGAN trained elsewhere (PyTorch main.py, safetensors, a tfjs export)',
    help: importModelHelp,
    run: importModelCommand
  },
  'make-faces': { summary: 'draw a labelled set of procedural faces (PNG + labels.json) to import and train on', help: makeFacesHelp, run: makeFacesCommand },
  train: { summary: 'create a run on a dataset and train it (paper defaults)', help: trainHelp, run: trainCommand },
  resume: { summary: 'continue a run from its last checkpoint', help: resumeHelp, run: resumeCommand },
  runs: { summary: 'list the runs in the library', help: runsHelp, run: runsCommand },
  sample: { summary: "write a grid of a run's samples as PNG", help: sampleHelp, run: sampleCommand },
  walk: { summary: 'a latent walk between seeds, as a PNG strip (and frames)', help: walkHelp, run: walkCommand },
  grid: { summary: 'a latent grid between four corner seeds, as a PNG figure or a video sweeping its rows', help: gridHelp, run: gridCommand },
  arithmetic: { summary: 'z arithmetic A − B + C with its noise fan (paper Fig. 7)', help: arithmeticHelp, run: arithmeticCommand },
  directions: {
    summary: 'directions found without labels (GANSpace: PCA of an early G layer, carried back to z), as JSON and strips',
    help: directionsHelp,
    run: directionsCommand
  },
  features: { summary: "a layer's feature maps for a sample", help: featuresHelp, run: featuresCommand },
  guided: { summary: 'guided backprop of a D feature, trained vs random D (paper Fig. 5)', help: guidedHelp, run: guidedCommand },
  probe: {
    summary: "linear probe on D's features vs pixels and a random-init D, or the paper's CIFAR-10/SVHN protocols (Section 5)",
    help: probeHelp,
    run: probeCommand
  },
  project: { summary: 'find the z whose sample best matches an image; writes it as JSON', help: projectHelp, run: projectCommand },
  forget: { summary: 'erase an object G draws: fit its maps from boxes, draw without them (paper Fig. 6)', help: forgetHelp, run: forgetCommand },
  'train-classifier': { summary: 'train the face-attribute classifier on procedural faces', help: trainClassifierHelp, run: trainClassifierCommand },
  'verify-demo': { summary: 'check face vector arithmetic on the demo model with the classifier', help: verifyDemoHelp, run: verifyDemoCommand },
  canvas: { summary: 'one big picture from a grid of z vectors (dcgan.torch large imsize), optionally tiling', help: canvasHelp, run: canvasCommand },
  'export-walk': { summary: 'a latent walk or loop as MP4, WebM, GIF or PNG frames', help: exportWalkHelp, run: exportWalkCommand },
  'export-model': {
    summary: "a run's model as PyTorch main.py state dicts, safetensors, or tfjs with an ml5 manifest",
    help: exportModelHelp,
    run: exportModelCommand
  },
  export: {
    summary: 'PNG figures (samples, image, arithmetic as Fig. 7), z vectors and concepts as JSON, training timelapses',
    help: exportHelp,
    run: exportCommand
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(verbs).map((v) => v.length))
  const lines = Object.entries(verbs).map(([name, verb]) => `  ${name.padEnd(width)}  ${verb.summary}`)
  return [
    'DCGAN Studio — train DCGANs on your own images and explore what they learned.',
    '',
    'Usage: dcgan-studio <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options every command takes:',
    '  --library DIR   the studio library (default: $DCGAN_STUDIO_HOME or ~/.dcgan-studio)',
    '  --json          machine-readable output, one JSON object per line',
    '  --backend NAME  force an engine backend: tensorflow-gpu, webgpu, tensorflow, wasm or cpu',
    '',
    'Run "dcgan-studio <command> --help" for a command\'s own options.'
  ].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [verbName, ...rest] = argv
  if (verbName === undefined || verbName === '--help' || verbName === '-h' || verbName === 'help') {
    const topic = verbName === 'help' ? rest[0] : undefined
    process.stdout.write(`${topic && verbs[topic] ? verbs[topic].help : usage()}\n`)
    return 0
  }
  const verb = verbs[verbName]
  if (!verb) {
    process.stderr.write(`Unknown command "${verbName}".\n\n${usage()}\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${verb.help}\n`)
    return 0
  }
  return verb.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const json = process.argv.includes('--json')
    const message = err instanceof Error ? err.message : String(err)
    const code = err instanceof StudioError ? err.code : err instanceof UsageError ? 'usage' : 'error'
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`)
    else process.stderr.write(`dcgan-studio: ${message}\n`)
    process.exit(err instanceof UsageError ? 2 : 1)
  }
)
