// The GPU measuring kit: everything one prepared command needs to measure the webgpu rung and PyTorch-CUDA side
// by side on a lent GPU machine that has PyTorch but no Node, no node_modules and no network (see
// docs/performance.md, "Measuring on a lent GPU"). At most 64 MiB travels there, the checkout included.
//
//   node scripts/gpu-kit.mjs             build .gpu-kit/ and say what will travel
//   node scripts/gpu-kit.mjs --fast      quicker, larger compression (for tests)
//   node scripts/gpu-kit.mjs --no-debs   without the Vulkan loader packages (machines that have libvulkan.so.1)
//   node scripts/gpu-kit.mjs --out DIR   build elsewhere
//   node scripts/gpu-kit.mjs --aside     move the checkout's big data folders (ASIDE) out of it for the run
//   node scripts/gpu-kit.mjs --restore   put them back (git checkout -- <them> does too: they are tracked)
//
// What .gpu-kit/ holds, and how scripts/gpu-measure.sh uses it there:
//   node.xz                          this Node, stripped and compressed (the machine has none)
//   bench.mjs, .gpu-kit/engine.cjs   scripts/bench.mjs and the engine benchmark bundled with every dependency
//                                    (tfjs, tfjs-backend-webgpu, the CUDA doctor) but Dawn's native addon
//   node_modules/webgpu/             Dawn's Node package with its linux-x64 dawn.node (stripped, compressed)
//   torch_dcgan.py                   the PyTorch reference (../shared/bench), run with --device cuda there
//   debs/                            Debian's Vulkan loader and GL dispatch libraries, unpacked there when the
//                                    machine has no libvulkan.so.1 (the device README's recipe)
//   manifest.json                    the commit, Node version and files, for the record
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** What the device tool carries at most: the checkout's tracked and untracked-unignored files plus carried paths. */
const TRAVEL_LIMIT = 64 * 1024 * 1024
/** Tracked data folders the GPU run never reads, moved aside when the checkout and the kit would not fit. */
const ASIDE = ['resources/demo', 'tests/fixtures']
const asideDir = path.resolve(root, '..', '.gpu-kit-aside')
/** The Debian packages of the device README's recipe: the Vulkan loader, and the GL dispatch NVIDIA's ICD links to. */
const DEBS = ['libvulkan1', 'libegl1', 'libglvnd0', 'libopengl0', 'libgl1', 'libglx0', 'libgles2']

function parseArgs(argv) {
  const options = { out: path.join(root, '.gpu-kit'), fast: false, debs: true, action: 'build' }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--fast') options.fast = true
    else if (arg === '--no-debs') options.debs = false
    else if (arg === '--out') options.out = path.resolve(argv[++i] ?? fail('--out needs a folder.'))
    else if (arg === '--aside') options.action = 'aside'
    else if (arg === '--restore') options.action = 'restore'
    else if (arg === '--help' || arg === '-h') {
      const header = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
      process.stdout.write(
        header
          .slice(
            0,
            header.findIndex((line) => !line.startsWith('//'))
          )
          .map((l) => l.replace(/^\/\/ ?/, ''))
          .join('\n') + '\n'
      )
      process.exit(0)
    } else fail(`Unknown option '${arg}'. Try --help.`)
  }
  return options
}

function fail(message) {
  process.stderr.write(`gpu-kit: ${message}\n`)
  process.exit(2)
}

function log(message) {
  process.stderr.write(`${message}\n`)
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Bytes of every file under `dir`. */
function folderBytes(dir) {
  if (!fs.existsSync(dir)) return 0
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size
  }
  return total
}

/** What the device tool would send of the checkout: tracked files present on disk and untracked files git does not ignore. */
function checkoutTravelBytes() {
  const list = (args) =>
    execFileSync('git', ['ls-files', '-z', ...args], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean)
  const files = new Set([...list([]), ...list(['--others', '--exclude-standard'])])
  let total = 0
  for (const file of files) {
    const stat = fs.statSync(path.join(root, file), { throwIfNoEntry: false })
    if (stat?.isFile()) total += stat.size
  }
  return total
}

/** `file` stripped of its symbols and xz-compressed to `target` (Node and dawn.node ship with debug symbols). */
function stripAndCompress(file, target, fast) {
  const stripped = path.join(os.tmpdir(), `gpu-kit-${process.pid}-${path.basename(file)}`)
  try {
    execFileSync('strip', ['-o', stripped, file])
    const xz = spawnSync('xz', [fast ? '-1' : '-9', '-T0', '-c', stripped], { maxBuffer: 512 * 1024 * 1024 })
    if (xz.status !== 0) throw new Error(`xz failed on ${file}: ${xz.stderr}`)
    fs.writeFileSync(target, xz.stdout)
  } finally {
    fs.rmSync(stripped, { force: true })
  }
}

/** The engine benchmark and the CUDA doctor as one CommonJS file; only Dawn's package stays outside (it loads dawn.node). */
async function bundleEngine(outDir) {
  const { build } = await import('vite')
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    ssr: { noExternal: true, external: ['webgpu'] },
    build: {
      ssr: path.join(root, 'src', 'engine', 'bench', 'gpu-kit.ts'),
      outDir,
      emptyOutDir: false,
      target: 'node20',
      minify: true,
      rolldownOptions: { external: ['webgpu'], output: { format: 'cjs', entryFileNames: 'engine.cjs', chunkFileNames: 'engine-[name].cjs' } }
    }
  })
}

/** Downloads DEBS (amd64) into `dir` with apt-get, using a private package list so this machine's is untouched. */
function downloadDebs(dir) {
  const lists = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-kit-apt-'))
  fs.mkdirSync(path.join(lists, 'partial'))
  const apt = ['-q', '-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`]
  try {
    execFileSync('apt-get', [...apt, 'update'], { stdio: ['ignore', 'ignore', 'pipe'] })
    fs.mkdirSync(dir, { recursive: true })
    execFileSync('apt-get', [...apt, 'download', ...DEBS], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  } finally {
    fs.rmSync(lists, { recursive: true, force: true })
  }
}

function gitCommit() {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' })
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== ''
  return result.status === 0 ? `${result.stdout.trim()}${dirty ? ' (with uncommitted changes)' : ''}` : 'unknown'
}

async function buildKit(options) {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail(`the lent GPU machines are linux-x64; this is ${process.platform}-${process.arch}, whose Node would not run there.`)
  const kit = options.out
  fs.rmSync(kit, { recursive: true, force: true })
  fs.mkdirSync(kit, { recursive: true })
  const started = Date.now()

  log('Bundling the engine benchmark (Vite)…')
  await bundleEngine(kit)
  fs.copyFileSync(path.join(root, 'scripts', 'bench.mjs'), path.join(kit, 'bench.mjs'))
  const reference = path.resolve(root, '..', 'shared', 'bench', 'torch_dcgan.py')
  if (!fs.existsSync(reference)) fail(`the PyTorch reference is missing: expected ${reference} (the shared/ folder next to the repository).`)
  fs.copyFileSync(reference, path.join(kit, 'torch_dcgan.py'))

  log('Dawn (the webgpu package) for linux-x64…')
  const webgpu = path.join(root, 'node_modules', 'webgpu')
  const dawn = path.join(webgpu, 'dist', 'linux-x64', 'dawn.node')
  if (!fs.existsSync(dawn)) fail(`${dawn} is missing: run npm install (webgpu is an optional dependency).`)
  const kitWebgpu = path.join(kit, 'node_modules', 'webgpu')
  fs.mkdirSync(path.join(kitWebgpu, 'dist', 'linux-x64'), { recursive: true })
  for (const file of ['package.json', 'index.js', 'LICENSE.md']) fs.copyFileSync(path.join(webgpu, file), path.join(kitWebgpu, file))
  stripAndCompress(dawn, path.join(kitWebgpu, 'dist', 'linux-x64', 'dawn.node.xz'), options.fast)

  log(`Node ${process.version} (${process.execPath})…`)
  stripAndCompress(process.execPath, path.join(kit, 'node.xz'), options.fast)

  let debs = 'not carried (--no-debs)'
  if (options.debs) {
    log(`Vulkan loader packages (${DEBS.join(', ')})…`)
    try {
      downloadDebs(path.join(kit, 'debs'))
      debs = fs.readdirSync(path.join(kit, 'debs')).join(', ')
    } catch (err) {
      debs = `not carried: apt-get failed (${String(err.stderr ?? err.message)
        .trim()
        .split('\n')
        .pop()})`
      log(`  ${debs}; the run then relies on the machine's own libvulkan.so.1`)
    }
  }

  const files = fs
    .readdirSync(kit, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.relative(kit, path.join(e.parentPath, e.name))
      return { file, bytes: fs.statSync(path.join(kit, file)).size }
    })
  const manifest = { built: new Date().toISOString(), commit: gitCommit(), node: process.version, debs, files }
  fs.writeFileSync(path.join(kit, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  log(`Built ${path.relative(root, kit) || kit} in ${((Date.now() - started) / 1000).toFixed(0)} s.`)
  report(kit)
}

/** Says what will travel and, when it is over the limit, what to do. */
function report(kit) {
  const kitBytes = folderBytes(kit)
  const checkout = checkoutTravelBytes()
  const total = kitBytes + checkout
  const within = total <= TRAVEL_LIMIT
  const lines = [`kit ${mib(kitBytes)} + checkout ${mib(checkout)} = ${mib(total)} to travel (limit ${mib(TRAVEL_LIMIT)}): ${within ? 'fits' : 'too much'}.`]
  if (!within) {
    lines.push(`Move the data folders the run never reads out of the checkout first: node scripts/gpu-kit.mjs --aside (then --restore).`)
  }
  lines.push(`Then on the lent machine: command "bash scripts/gpu-measure.sh", carry [".gpu-kit"], timeout_s 540.`)
  process.stdout.write(lines.join('\n') + '\n')
  process.exitCode = within ? 0 : 3
}

function moveAside() {
  fs.mkdirSync(asideDir, { recursive: true })
  for (const folder of ASIDE) {
    const from = path.join(root, folder)
    const to = path.join(asideDir, folder)
    if (!fs.existsSync(from)) continue
    if (fs.existsSync(to)) fail(`${to} exists already: run --restore first.`)
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.renameSync(from, to)
    log(`moved ${folder} to ${to}`)
  }
  report(path.join(root, '.gpu-kit'))
}

function restore() {
  for (const folder of ASIDE) {
    const from = path.join(asideDir, folder)
    const to = path.join(root, folder)
    if (!fs.existsSync(from)) continue
    if (fs.existsSync(to)) fail(`${to} exists: both copies are kept; compare them and remove ${from} by hand.`)
    fs.renameSync(from, to)
    log(`restored ${folder}`)
  }
  fs.rmSync(asideDir, { recursive: true, force: true })
}

const options = parseArgs(process.argv.slice(2))
if (options.action === 'aside') moveAside()
else if (options.action === 'restore') restore()
else
  buildKit(options).catch((err) => {
    process.stderr.write(`gpu-kit: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
