// Builds tests/fixtures/fashion-mnist-run/: a DCGAN trained by DCGAN Studio on Fashion-MNIST, whose D the
// linear-probe integration test probes (trained D against a random-init D and raw pixels, paper Section 5).
// A test cannot afford to train a D good enough for that comparison (it takes most of an hour on two cores),
// so the run is trained once, here, with the studio's own CLI, and only what probing and exploring need ships:
// the run record, thinned metrics, the last sample grid and the final checkpoint's G and D (no optimiser
// state, so the fixture stays small and cannot be trained further).
//
//   node scripts/make-probe-fixture.mjs [--steps 3000] [--width 32] [--batch 64] [--seed 1] [--work DIR]
//       imports Fashion-MNIST's 60,000 training images at 32 px, trains, packs, then probes the fixture on the
//       t10k file (never seen in training) with split seeds 0…4 and records the numbers in fixture.json.
//   node scripts/make-probe-fixture.mjs --library DIR --run RUN_ID [--step S]
//       packs (and probes) a run trained already, e.g. one stopped at a checkpoint measured as good.
//
// Needs Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). Set DCGAN_STUDIO_WASM_THREADS to
// bound the engine's threads. Training time is taken from the run record (run.json's cost).
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { folderBytes } from './folder-bytes.mjs'
import { buildIfNeeded } from './build-if-needed.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const FASHION = '/usr/share/datasets/fashion-mnist'
const OUT = path.join(root, 'tests', 'fixtures', 'fashion-mnist-run')
/** The fixture is committed to the repository: keep it a few MB. */
const BUDGET_BYTES = 4 * 1024 * 1024
/** Metrics lines kept: enough for the loss curves, far fewer than one per step. */
const MAX_METRICS = 500

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), [])
)
const number = (key, fallback) => (args[key] === undefined ? fallback : Number(args[key]))

buildIfNeeded()
const cli = path.join(root, 'out', 'main', 'cli.js')

/** Runs the CLI with --json; returns its last JSON line (the result), failing loudly otherwise. */
function studio(verb, ...rest) {
  console.log(`$ dcgan-studio ${verb} ${rest.join(' ')}`)
  const result = spawnSync(process.execPath, [cli, verb, ...rest, '--json'], { encoding: 'utf8', maxBuffer: 1024 ** 3, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('{'))
  const last = lines.length > 0 ? JSON.parse(lines.at(-1)) : null
  if (result.status !== 0 || !last) {
    console.error(last?.error?.message ?? `dcgan-studio ${verb} exited with ${result.status}`)
    process.exit(1)
  }
  return last
}

let library = args.library ? path.resolve(args.library) : null
let runId = args.run ?? null
const options = { steps: number('steps', 3000), width: number('width', 32), batch: number('batch', 64), seed: number('seed', 1) }
if (!runId) {
  library = path.resolve(args.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'probe-fixture-')))
  const imported = studio(
    'import',
    '--idx',
    path.join(FASHION, 'train-images-idx3-ubyte.gz'),
    '--labels',
    path.join(FASHION, 'train-labels-idx1-ubyte.gz'),
    '--size',
    '32',
    '--library',
    library
  )
  // lr and β1 are the paper's; batch 64 rather than 128 gives twice the updates for the same compute.
  const trained = studio(
    'train',
    '--dataset',
    imported.datasetId,
    '--size',
    '32',
    '--width',
    String(options.width),
    '--batch',
    String(options.batch),
    '--steps',
    String(options.steps),
    '--checkpoint-every',
    '500',
    '--sample-every',
    '500',
    '--seed',
    String(options.seed),
    '--name',
    'fashion-mnist-probe',
    '--library',
    library
  )
  runId = trained.runId
} else if (!library) {
  console.error('--run needs --library DIR: the library that holds the run.')
  process.exit(2)
}

const runDir = path.join(library, 'runs', runId)
const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))
const latestStep = JSON.parse(fs.readFileSync(path.join(runDir, 'latest.json'), 'utf8')).step
const step = number('step', latestStep)
const stepDir = String(step).padStart(8, '0')
if (!fs.existsSync(path.join(runDir, 'checkpoints', stepDir, 'checkpoint.json'))) {
  console.error(`Run ${runId} has no complete checkpoint at step ${step}.`)
  process.exit(1)
}

// Pack into a staging folder beside the fixture, then swap it in, so a failure never leaves half a fixture.
const staging = `${OUT}.tmp`
fs.rmSync(staging, { recursive: true, force: true })
const target = path.join(staging, 'runs', runId)
fs.mkdirSync(path.join(target, 'checkpoints', stepDir), { recursive: true })
const shipped = {
  ...record,
  status: 'stopped',
  statusMessage: `Probe fixture: the checkpoint of step ${step} with G and D only (no optimiser state), for probing and exploring; it cannot be trained further.`
}
fs.writeFileSync(path.join(target, 'run.json'), `${JSON.stringify(shipped, null, 2)}\n`)
fs.writeFileSync(path.join(target, 'latest.json'), `${JSON.stringify({ step, dir: stepDir, writtenAt: new Date().toISOString() }, null, 2)}\n`)
const metrics = fs
  .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line && JSON.parse(line).step <= step)
const every = Math.ceil(metrics.length / MAX_METRICS)
const kept = metrics.filter((_, i) => i % every === 0 || i === metrics.length - 1)
fs.writeFileSync(path.join(target, 'metrics.jsonl'), kept.map((line) => `${line}\n`).join(''))
fs.mkdirSync(path.join(target, 'samples'))
const grid = `step-${stepDir}.png`
if (fs.existsSync(path.join(runDir, 'samples', grid))) fs.copyFileSync(path.join(runDir, 'samples', grid), path.join(target, 'samples', grid))
for (const part of ['checkpoint.json', 'generator', 'discriminator']) {
  fs.cpSync(path.join(runDir, 'checkpoints', stepDir, part), path.join(target, 'checkpoints', stepDir, part), { recursive: true })
}

// Measure what the test asserts, on the packed files: the t10k images, which training never saw.
const probeLibrary = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-fixture-check-'))
fs.cpSync(path.join(staging, 'runs'), path.join(probeLibrary, 'runs'), { recursive: true })
const testSet = studio(
  'import',
  '--idx',
  path.join(FASHION, 't10k-images-idx3-ubyte.gz'),
  '--labels',
  path.join(FASHION, 't10k-labels-idx1-ubyte.gz'),
  '--size',
  '32',
  '--library',
  probeLibrary
)
const probes = []
for (const seed of [0, 1, 2, 3, 4]) {
  const r = studio(
    'probe',
    '--run',
    runId,
    '--labelled',
    testSet.datasetId,
    '--per-class',
    '100',
    '--test',
    '2000',
    '--seed',
    String(seed),
    '--library',
    probeLibrary
  )
  probes.push({ seed, accuracy: r.accuracy, randomDAccuracy: r.randomDAccuracy, pixelsAccuracy: r.pixelsAccuracy })
  console.log(`split seed ${seed}: trained D ${pct(r.accuracy)}, random-init D ${pct(r.randomDAccuracy)}, pixels ${pct(r.pixelsAccuracy)}`)
}
fs.rmSync(probeLibrary, { recursive: true, force: true })

const { model, train, cost } = record
fs.writeFileSync(
  path.join(staging, 'fixture.json'),
  `${JSON.stringify(
    {
      formatVersion: 1,
      runId,
      step,
      description:
        `A ${model.imageSize}×${model.imageSize} grayscale DCGAN (width ${model.discWidth}) trained by DCGAN Studio on Fashion-MNIST's ${record.dataset.count.toLocaleString('en-US')} ` +
        `training images: batch ${train.batchSize}, Adam lr ${train.learningRate}, β1 ${train.beta1}, seed ${train.seed}; checkpoint of step ${step}.`,
      // The run's training time up to this step (the record's cost covers every step it trained).
      training: { steps: step, minutes: Math.round((cost.seconds * Math.min(1, step / Math.max(1, cost.steps))) / 60), backend: cost.backend },
      // The same run from scratch: the trainer is seeded (weights, data order, noise), and resuming restores its state.
      rebuild: `node scripts/make-probe-fixture.mjs --steps ${step} --width ${model.discWidth} --batch ${train.batchSize} --seed ${train.seed}`,
      // Linear probe on Fashion-MNIST t10k, 100 labels per class, 1,000 validation and 2,000 test images.
      probes
    },
    null,
    2
  )}\n`
)
fs.rmSync(OUT, { recursive: true, force: true })
fs.renameSync(staging, OUT)

const bytes = folderBytes(OUT)
console.log(`Packed run ${runId} at step ${step} into ${OUT} (${(bytes / 1024 / 1024).toFixed(1)} MB).`)
if (bytes > BUDGET_BYTES) {
  console.error(`The fixture is over its ${BUDGET_BYTES / 1024 / 1024} MB budget.`)
  process.exit(1)
}

function pct(x) {
  return `${(x * 100).toFixed(1)}%`
}
