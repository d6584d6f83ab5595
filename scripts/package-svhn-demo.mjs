// Packs the paper's own SVHN DCGAN — the model Radford, Metz & Chintala released in Newmu/dcgan_code — into
// resources/demo/runs/paper-svhn-dcgan/, the second demo the studio installs into an empty library beside the
// procedural faces. It imports the released Theano parameters with the studio's own import-model (the same
// path a user takes; batch-norm population statistics estimated there, as the run's notes say), gives the run
// its name and provenance, drops this machine's paths from the record, and lists it in demo.json's moreRuns.
// The licence (MIT) is read from LICENSE beside the files and kept in the run record.
//
//   node scripts/package-svhn-demo.mjs [--source DIR]     (default ../shared/models/newmu-svhn-dcgan)
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { folderBytes } from './folder-bytes.mjs'

const RUN_ID = 'paper-svhn-dcgan'
const NAME = "The paper's own SVHN DCGAN"
const PROVENANCE =
  'The DCGAN that Alec Radford, Luke Metz and Soumith Chintala trained on SVHN (Street View House Numbers) for ' +
  '"Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks" (2015, Table 2), ' +
  'as they released it in github.com/Newmu/dcgan_code, models/svhn_unsup_all_conv_dcgan_100z_gaussian_lr_0.0005_64mb, ' +
  'epoch 200: Theano parameters, imported by the studio unchanged (z ~ N(0, 1), 100 dimensions, 32×32 RGB). MIT licence, copyright 2015 Alec Radford.'
const BUDGET = 12 * 1024 * 1024

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sourceArg = process.argv.indexOf('--source')
const source = path.resolve(sourceArg > 0 ? process.argv[sourceArg + 1] : path.join(root, '..', 'shared', 'models', 'newmu-svhn-dcgan'))
const out = path.join(root, 'resources', 'demo')
const manifestPath = path.join(out, 'demo.json')
if (!fs.existsSync(manifestPath)) {
  console.error(`${manifestPath} is missing: pack the faces demo first (scripts/package-demo.mjs); this run ships beside it.`)
  process.exit(1)
}
if (!fs.existsSync(path.join(source, 'LICENSE'))) {
  console.error(`${source} has no LICENSE: the authors' model ships only with its licence.`)
  process.exit(1)
}

const library = fs.mkdtempSync(path.join(os.tmpdir(), 'svhn-demo-'))
const cli = spawnSync(
  process.execPath,
  [path.join(root, 'out', 'main', 'cli.js'), 'import-model', source, '--format', 'theano', '--name', NAME, '--library', library, '--json'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
)
const last = cli.stdout
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .at(-1)
if (cli.status !== 0 || !last?.runId) {
  console.error(`import-model failed (${cli.status}): ${cli.stdout}`)
  process.exit(1)
}
const imported = path.join(library, 'runs', last.runId)
const record = JSON.parse(fs.readFileSync(path.join(imported, 'run.json'), 'utf8'))
record.id = RUN_ID
record.imported.provenance = PROVENANCE
// Listed just after the faces demo (runs list newest first), so a fresh library's Explore and tour open on the
// faces demo they are written for; the import time stays in imported.importedAt.
const faces = JSON.parse(fs.readFileSync(manifestPath, 'utf8')).runId
const facesCreated = JSON.parse(fs.readFileSync(path.join(out, 'runs', faces, 'run.json'), 'utf8')).createdAt
record.createdAt = new Date(Date.parse(facesCreated) - 1000).toISOString()
record.updatedAt = record.createdAt
// What shipped is the same on every machine: the files by name, the source as the authors published it.
record.imported.source = 'github.com/Newmu/dcgan_code/models/svhn_unsup_all_conv_dcgan_100z_gaussian_lr_0.0005_64mb'
for (const file of record.imported.files) file.path = file.name
fs.writeFileSync(path.join(imported, 'run.json'), `${JSON.stringify(record, null, 2)}\n`)

const target = path.join(out, 'runs', RUN_ID)
fs.rmSync(target, { recursive: true, force: true })
fs.cpSync(imported, target, { recursive: true })
fs.rmSync(library, { recursive: true, force: true })
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
manifest.moreRuns = [...new Set([...(manifest.moreRuns ?? []), RUN_ID])]
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
const bytes = folderBytes(target)
console.log(`Packed ${NAME} into ${target} (${(bytes / 1024 / 1024).toFixed(1)} MB).`)
if (bytes > BUDGET) {
  console.error(`It is over its ${BUDGET / 1024 / 1024} MB budget.`)
  process.exit(1)
}
