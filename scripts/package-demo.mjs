// Packs a trained run and its face-attribute classifier into resources/demo/, the demo model the studio
// installs into an empty library. Only what the demo needs ships: the run record, metrics, the sample
// timeline and the final checkpoint (G, D and both optimiser states, so it can be trained further).
//
//   node scripts/package-demo.mjs --library DIR --run RUN_ID --classifier DIR
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

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
const latest = JSON.parse(fs.readFileSync(path.join(runDir, 'latest.json'), 'utf8'))
const out = path.join(root, 'resources', 'demo')
const staging = `${out}.tmp`
fs.rmSync(staging, { recursive: true, force: true })
const target = path.join(staging, 'runs', args.run)
fs.mkdirSync(path.join(target, 'checkpoints'), { recursive: true })
for (const file of ['run.json', 'latest.json', 'metrics.jsonl']) fs.copyFileSync(path.join(runDir, file), path.join(target, file))
fs.cpSync(path.join(runDir, 'samples'), path.join(target, 'samples'), { recursive: true })
fs.cpSync(path.join(runDir, 'checkpoints', latest.dir), path.join(target, 'checkpoints', latest.dir), { recursive: true })
fs.cpSync(path.resolve(args.classifier), path.join(staging, 'classifier'), { recursive: true })
const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))
fs.writeFileSync(
  path.join(staging, 'demo.json'),
  `${JSON.stringify(
    {
      formatVersion: 1,
      runId: args.run,
      classifier: 'classifier',
      description: `${record.name}: a ${record.model.imageSize}×${record.model.imageSize} DCGAN (width ${record.model.genWidth}) trained by DCGAN Studio on procedural faces for ${latest.step} steps (${Math.round(record.cost.seconds / 60)} min on ${record.cost.backend}).`
    },
    null,
    2
  )}\n`
)
fs.rmSync(out, { recursive: true, force: true })
fs.renameSync(staging, out)
let bytes = 0
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full)
    else bytes += fs.statSync(full).size
  }
}
walk(out)
console.log(`Packed run ${args.run} at step ${latest.step} and its classifier into ${out} (${(bytes / 1024 / 1024).toFixed(1)} MB).`)
if (bytes > 25 * 1024 * 1024) {
  console.error('The demo is over the 25 MB budget.')
  process.exit(1)
}
