// Packs a trained run and its face-attribute classifier into resources/demo/, the demo model the studio
// installs into an empty library. Only what the demo needs ships: the run record, metrics, the sample
// timeline and the final checkpoint (G, D and both optimiser states, so it can be trained further), and the
// erasures saved for the checkpoints it ships (forgetting to draw).
//
//   node scripts/package-demo.mjs --library DIR --run RUN_ID --classifier DIR [--step S] [--also-steps S1,S2]
// --step ships that checkpoint instead of the latest (with the metrics and samples up to it); --also-steps
// ships earlier checkpoints beside it, for the erasures fitted on them (an erasure belongs to its checkpoint).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { folderBytes } from './folder-bytes.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), [])
)
for (const key of ['library', 'run', 'classifier']) {
  if (!args[key]) {
    console.error(`--${key} is required: node scripts/package-demo.mjs --library DIR --run RUN_ID --classifier DIR`)
    process.exit(2)
  }
}
const runDir = path.join(path.resolve(args.library), 'runs', args.run)
const recorded = JSON.parse(fs.readFileSync(path.join(runDir, 'latest.json'), 'utf8'))
const step = args.step === undefined ? recorded.step : Number(args.step)
const latest = { step, dir: String(step).padStart(8, '0'), writtenAt: new Date().toISOString() }
const alsoSteps = args['also-steps'] ? String(args['also-steps']).split(',').map(Number) : []
const stepDir = (s) => String(s).padStart(8, '0')
for (const s of [step, ...alsoSteps]) {
  if (!Number.isInteger(s) || s > step || !fs.existsSync(path.join(runDir, 'checkpoints', stepDir(s), 'checkpoint.json'))) {
    console.error(`Run ${args.run} has no complete checkpoint at step ${s} (at most --step ${step}).`)
    process.exit(1)
  }
}
const out = path.join(root, 'resources', 'demo')
const staging = `${out}.tmp`
fs.rmSync(staging, { recursive: true, force: true })
const target = path.join(staging, 'runs', args.run)
fs.mkdirSync(path.join(target, 'checkpoints'), { recursive: true })
const shipped = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))
// The run names the classifier it ships with, under the name the studio installs it as (DEMO_CLASSIFIER in
// src/main/services/demo.ts), so Explore can score its samples by attribute.
shipped.classifier = 'demo-faces'
// The demo ships without its training faces; the run records how to draw them again (make-faces, then a
// folder import), so Resume can recreate the dataset. Read from the labels.json make-faces wrote beside them.
const recipe = facesRecipe(path.resolve(args.library), shipped.dataset.id)
if (recipe) shipped.dataset.recipe = recipe
else console.warn(`The dataset ${shipped.dataset.id} does not come from make-faces (no labels.json at its source): the demo cannot offer to recreate it.`)
if (step !== recorded.step) {
  // The cost stays what training really took; the message says which checkpoint ships and why.
  shipped.statusMessage = `The demo ships the checkpoint of step ${step}, the one npm run verify:demo checked; training went on to step ${recorded.step}.`
}
fs.writeFileSync(path.join(target, 'run.json'), `${JSON.stringify(shipped, null, 2)}\n`)
fs.writeFileSync(path.join(target, 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`)
const metrics = fs
  .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line && JSON.parse(line).step <= step)
fs.writeFileSync(path.join(target, 'metrics.jsonl'), metrics.map((line) => `${line}\n`).join(''))
fs.mkdirSync(path.join(target, 'samples'))
for (const name of fs.readdirSync(path.join(runDir, 'samples'))) {
  if (Number(/step-(\d+)\.png/.exec(name)?.[1] ?? Infinity) <= step) fs.copyFileSync(path.join(runDir, 'samples', name), path.join(target, 'samples', name))
}
for (const s of [step, ...alsoSteps]) fs.cpSync(path.join(runDir, 'checkpoints', stepDir(s)), path.join(target, 'checkpoints', stepDir(s)), { recursive: true })
fs.cpSync(path.resolve(args.classifier), path.join(staging, 'classifier'), { recursive: true })
// The run's saved erasures (dcgan-studio forget --save) ship too, those fitted on a shipped checkpoint.
const erasuresDir = path.join(path.resolve(args.library), 'erasures')
for (const name of fs.existsSync(erasuresDir) ? fs.readdirSync(erasuresDir).filter((n) => n.endsWith('.json')) : []) {
  const erasure = JSON.parse(fs.readFileSync(path.join(erasuresDir, name), 'utf8'))
  if (erasure.runId !== args.run || ![step, ...alsoSteps].includes(erasure.step)) continue
  fs.mkdirSync(path.join(staging, 'erasures'), { recursive: true })
  fs.copyFileSync(path.join(erasuresDir, name), path.join(staging, 'erasures', name))
}
const record = shipped
// The faces demo's own budget, before the runs shipped beside it (each packed by its own script, with its own).
const bytes = folderBytes(staging)
// Runs shipped beside the demo (the paper's own SVHN DCGAN, scripts/package-svhn-demo.mjs) stay as they are.
const previous = fs.existsSync(path.join(out, 'demo.json')) ? JSON.parse(fs.readFileSync(path.join(out, 'demo.json'), 'utf8')) : {}
const moreRuns = (previous.moreRuns ?? []).filter((id) => id !== args.run && fs.existsSync(path.join(out, 'runs', id, 'run.json')))
for (const id of moreRuns) fs.cpSync(path.join(out, 'runs', id), path.join(staging, 'runs', id), { recursive: true })
fs.writeFileSync(
  path.join(staging, 'demo.json'),
  `${JSON.stringify(
    {
      formatVersion: 1,
      runId: args.run,
      classifier: 'classifier',
      description: `${record.name}: a ${record.model.imageSize}×${record.model.imageSize} DCGAN (width ${record.model.genWidth}) trained by DCGAN Studio on 12,000 procedural faces; this is its checkpoint at step ${latest.step} (training: ${record.cost.steps} steps, ${Math.round(record.cost.seconds / 60)} min on ${record.cost.backend}).`,
      moreRuns
    },
    null,
    2
  )}\n`
)
fs.rmSync(out, { recursive: true, force: true })
fs.renameSync(staging, out)
console.log(
  `Packed run ${args.run} at step ${latest.step} and its classifier into ${out} (${(bytes / 1024 / 1024).toFixed(1)} MB${moreRuns.length ? `; kept ${moreRuns.join(', ')} beside it` : ''}).`
)
if (bytes > 25 * 1024 * 1024) {
  console.error('The demo is over the 25 MB budget.')
  process.exit(1)
}

function facesRecipe(library, datasetId) {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(library, 'datasets', datasetId, 'manifest.json'), 'utf8'))
    if (manifest.source?.kind !== 'folder') return null
    const labels = JSON.parse(fs.readFileSync(path.join(manifest.source.path, 'labels.json'), 'utf8'))
    if (labels.format !== 'dcgan-studio/faces-labels') return null
    return { kind: 'procedural-faces', count: labels.count, size: labels.size, seed: labels.seed }
  } catch {
    return null
  }
}
