// `npm run bench`: DCGAN Studio's training and generation speed against the PyTorch reference, measured in
// one command on this machine (see docs/performance.md).
//
//   npm run bench                       each config on wasm (every core), then on the reference; then the table
//   npm run bench -- --quick            fewer, shorter iterations
//   npm run bench -- --json             one JSON object per config: name, ours, reference, ratio, unit
//   npm run bench -- --backend cpu      another tfjs backend (wasm, cpu, webgpu, tensorflow, tensorflow-gpu)
//   npm run bench -- --only train-32-w64,generate-64-b1
//   npm run bench -- --no-reference     ours only (no PyTorch needed)
//   npm run bench -- --threads 1        wasm on one thread (default: every core)
//   npm run bench -- --reference-threads 1   PyTorch on one thread (default: 2, as torch-reference.sh)
//   npm run bench -- --profile train-64-w64 [--tfjs-kernels] [--batch 2]
//                                       per-kernel time of one training step (on webgpu also the GPU programs
//                                       it dispatched); --tfjs-kernels measures tfjs-backend-wasm's own kernels
//                                       instead of wasm-kernels/'s; --batch profiles another batch size (where
//                                       a step at the config's batch takes too long, e.g. on SwiftShader)
//   npm run bench -- --dispatch-cost    what issuing one GPU program, and one read back, cost the CPU (webgpu: the ceiling)
//   npm run bench -- --reference-device cuda [--reference-python python3] [--reference-script torch_dcgan.py]
//                                       PyTorch on a GPU: torch_dcgan.py run directly with that Python
//                                       (default: python3 on the PATH) instead of torch-reference.sh
//   node bench.mjs --engine-bundle .gpu-kit/engine.cjs …
//                                       an engine already bundled (the GPU kit, scripts/gpu-kit.mjs):
//                                       no Vite, no node_modules needed
//
// The engine code is TypeScript; this script bundles src/engine/bench/index.ts with Vite (dependencies stay
// external) into node_modules/.cache/dcgan-bench/<pid>/ and imports it, so it works from a fresh clone after
// `npm install` without touching the app's build. The reference is ../shared/bench/torch-reference.sh (next to
// the repository), which installs Debian's PyTorch with apt-get on first use.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sharedBench = path.resolve(root, '..', 'shared', 'bench')

function parseArgs(argv) {
  const options = {
    quick: false,
    json: false,
    backend: 'wasm',
    only: null,
    reference: true,
    profile: null,
    dispatchCost: false,
    batch: undefined,
    tfjsKernels: false,
    threads: undefined,
    referenceThreads: undefined,
    referenceDevice: 'cpu',
    referencePython: 'python3',
    referenceScript: null,
    engineBundle: null
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined || next.startsWith('--')) fail(`${arg} needs a value.`)
      return next
    }
    if (arg === '--quick') options.quick = true
    else if (arg === '--json') options.json = true
    else if (arg === '--backend') options.backend = value()
    else if (arg === '--only') options.only = value().split(',')
    else if (arg === '--no-reference') options.reference = false
    else if (arg === '--profile') options.profile = value()
    else if (arg === '--dispatch-cost') options.dispatchCost = true
    else if (arg === '--tfjs-kernels') options.tfjsKernels = true
    else if (arg === '--reference-device') options.referenceDevice = value()
    else if (arg === '--reference-python') options.referencePython = value()
    else if (arg === '--reference-script') options.referenceScript = path.resolve(value())
    else if (arg === '--engine-bundle') options.engineBundle = path.resolve(value())
    else if (arg === '--batch') {
      options.batch = Number(value())
      if (!Number.isInteger(options.batch) || options.batch < 1) fail('--batch needs a whole number, 1 or more.')
    } else if (arg === '--reference-threads') {
      options.referenceThreads = Number(value())
      if (!Number.isInteger(options.referenceThreads) || options.referenceThreads < 1) fail('--reference-threads needs a whole number, 1 or more.')
    } else if (arg === '--threads') {
      options.threads = Number(value())
      if (!Number.isInteger(options.threads) || options.threads < 1) fail('--threads needs a whole number, 1 or more.')
    } else if (arg === '--help' || arg === '-h') {
      // The usage is this file's opening comment, up to the paragraph on how it works.
      const header = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
      const usage = header.slice(0, header.findIndex((line) => line.startsWith('// The engine code')) - 1)
      process.stdout.write(usage.map((line) => line.replace(/^\/\/ ?/, '')).join('\n') + '\n')
      process.exit(0)
    } else fail(`Unknown option '${arg}'. Try --help.`)
  }
  // On the CPU the reference is torch-reference.sh (the fastest PyTorch set-up found for these VMs, see its
  // comments); on a GPU it is torch_dcgan.py itself, with whatever PyTorch that machine has.
  options.referenceScript ??= path.join(sharedBench, options.referenceDevice === 'cpu' ? 'torch-reference.sh' : 'torch_dcgan.py')
  if (options.referenceScript.endsWith('.sh') && options.referenceDevice !== 'cpu') {
    fail(`--reference-device ${options.referenceDevice} needs torch_dcgan.py as the reference (--reference-script); a .sh reference measures the CPU.`)
  }
  return options
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(2)
}

function log(message) {
  process.stderr.write(`${message}\n`)
}

async function bundleEngineBench() {
  const { build } = await import('vite')
  // One folder per run, removed once loaded: two runs at once must not overwrite each other's bundle.
  const outDir = path.join(root, 'node_modules', '.cache', 'dcgan-bench', String(process.pid))
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: path.join(root, 'src', 'engine', 'bench', 'index.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rolldownOptions: {
        output: {
          format: 'esm',
          entryFileNames: 'bench.mjs',
          // The engine loads the optional native backends with a plain require (select.ts), as its CommonJS build allows.
          banner: "import { createRequire as __benchCreateRequire } from 'node:module'\nconst require = __benchCreateRequire(import.meta.url)"
        }
      }
    }
  })
  try {
    return await import(pathToFileURL(path.join(outDir, 'bench.mjs')).href)
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true })
  }
}

function loadLine() {
  const [one, five] = os.loadavg()
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min) on ${os.cpus().length} CPUs`
}

// One reference measurement: the last JSON line torch_dcgan.py prints.
function runReference(config, policyArgs, options) {
  const viaShell = options.referenceScript.endsWith('.sh')
  const [program, args] = viaShell
    ? ['bash', [options.referenceScript, ...config.referenceArgs, ...policyArgs]]
    : [options.referencePython, [options.referenceScript, ...config.referenceArgs, ...policyArgs, '--device', options.referenceDevice]]
  // torch-reference.sh reads THREADS (default 2: the best this machine runs).
  const env = options.referenceThreads === undefined ? process.env : { ...process.env, THREADS: String(options.referenceThreads) }
  const result = spawnSync(program, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30 * 60_000 })
  if (result.status !== 0) {
    throw new Error(`The reference failed for ${config.name} (${program} ${args.join(' ')} exited with ${result.status ?? result.signal}):\n${result.stderr}`)
  }
  const line = result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop()
  if (!line) throw new Error(`The reference printed no result for ${config.name}:\n${result.stdout}\n${result.stderr}`)
  const record = JSON.parse(line)
  return config.unit === 'ms/frame' ? record.ms_per_call / config.batch : config.kind === 'train' ? record.img_per_s : record.fps
}

function formatTable(rows) {
  const header = ['config', 'ours', 'reference', 'ratio', 'unit']
  const cells = rows.map((r) => [r.name, fixed(r.ours), fixed(r.reference), r.ratio == null ? '—' : `${r.ratio.toFixed(3)}×`, r.unit])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c) => c.map((v, i) => (i === 0 || i === 4 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

function fixed(value) {
  if (value == null) return '—'
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  if (options.reference && !options.profile && !options.dispatchCost && !fs.existsSync(options.referenceScript)) {
    fail(
      `The PyTorch reference is missing: expected ${options.referenceScript} (the shared/ folder next to the repository). ` +
        `Put it there, or pass --no-reference to measure ours only.`
    )
  }
  let bench
  if (options.engineBundle) bench = createRequire(import.meta.url)(options.engineBundle)
  else {
    log('Bundling the engine benchmark (Vite)…')
    bench = await bundleEngineBench()
  }
  // A backend that does not start (no GPU adapter, say) still leaves the reference worth measuring: each row
  // then says why ours is missing, and the command exits with 1.
  let backend = options.backend
  let backendError = null
  try {
    backend = await bench.startBackend(options.backend, { tfjsKernels: options.tfjsKernels, threads: options.threads })
    log(`Backend: ${backend}${options.tfjsKernels ? ", with tfjs-backend-wasm's own kernels" : ''}`)
  } catch (err) {
    backendError = `${options.backend} did not start: ${err instanceof Error ? err.message : String(err)}`
    log(`Backend: ${backendError}`)
  }
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}; at the start ${loadLine()}`
  log(`Machine: ${machine}`)

  if (options.dispatchCost) {
    if (backendError) throw new Error(backendError)
    const cost = await bench.measureDispatchCost()
    if (options.json) process.stdout.write(JSON.stringify(cost) + '\n')
    else {
      process.stdout.write(
        `${cost.backend}: ${cost.programs} programs issued at ${cost.issueUs.toFixed(1)} µs each (CPU side), ${cost.totalUs.toFixed(1)} µs each until done\n` +
          `${cost.backend}: one program read back (4,096 values, data()) in ${cost.readbackUs.toFixed(0)} µs (median of 200)\n`
      )
    }
    log(`After: ${loadLine()}`)
    return 0
  }

  if (options.profile) {
    if (backendError) throw new Error(backendError)
    const config = bench.benchConfig(options.profile)
    if (options.batch !== undefined) log(`Profiling ${config.name} at batch ${options.batch} instead of ${config.batch}`)
    const profile = await bench.profileTrainingStep(options.batch === undefined ? config : { ...config, batch: options.batch })
    if (options.json) {
      for (const k of profile.kernels) process.stdout.write(JSON.stringify({ name: profile.name, ...k }) + '\n')
      if (profile.dispatches != null) process.stdout.write(JSON.stringify({ name: profile.name, dispatches: profile.dispatches }) + '\n')
    } else {
      process.stdout.write(`${profile.name}: step ${profile.stepMs.toFixed(0)} ms, kernels ${profile.kernelMs.toFixed(0)} ms\n`)
      if (profile.dispatches != null) process.stdout.write(`  GPU programs dispatched in the step: ${profile.dispatches}\n`)
      const width = Math.max(24, ...profile.kernels.map((k) => k.kernel.length))
      for (const k of profile.kernels) {
        const share = ((100 * k.ms) / profile.kernelMs).toFixed(1).padStart(5)
        process.stdout.write(`  ${k.kernel.padEnd(width)} ${k.ms.toFixed(1).padStart(9)} ms ${share}%  ${String(k.calls).padStart(4)} calls\n`)
      }
    }
    log(`After: ${loadLine()}`)
    return 0
  }

  const configs = options.only ? options.only.map((name) => bench.benchConfig(name)) : bench.BENCH_CONFIGS
  const policy = options.quick ? bench.QUICK_RUN : bench.FULL_RUN
  // Ours and the reference back to back for each config, so that both see the same load on a shared
  // machine: a ratio of two measurements minutes apart would mostly measure what else ran meanwhile.
  const rows = []
  for (const config of configs) {
    let ours = null
    let error = backendError
    if (!error) {
      log(`ours: ${config.name}…`)
      try {
        const result = await bench.measureSpeed(config, policy)
        ours = result.value
        log(`  ${fixed(result.value)} ${result.unit} (median of ${result.iterations}, ${(result.medianSeconds * 1000).toFixed(1)} ms per call); ${loadLine()}`)
      } catch (err) {
        error = err instanceof Error ? err.message : String(err)
        log(`  failed: ${error}`)
      }
    }
    let reference = null
    if (options.reference) {
      log(`reference: ${config.name}…`)
      reference = runReference(config, bench.referencePolicyArgs(policy), options)
      log(`  ${fixed(reference)} ${config.unit}; ${loadLine()}`)
    }
    const ratio = reference == null || ours == null ? null : config.unit === 'ms/frame' ? reference / ours : ours / reference
    rows.push({ name: config.name, ours, reference, ratio, unit: config.unit, ...(error ? { error } : {}) })
  }
  log(`After: ${loadLine()}`)
  if (options.json) {
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n')
  } else {
    process.stdout.write(`\nDCGAN Studio on ${backend} vs PyTorch (ratio: ours/reference for img/s, reference/ours for ms/frame; higher is better)\n`)
    process.stdout.write(formatTable(rows) + '\n')
    // Other processes slow both sides, and not equally: the load belongs with the figures.
    process.stdout.write(`Machine: ${machine}; at the end ${loadLine()}\n`)
    for (const row of rows.filter((r) => r.error)) process.stdout.write(`${row.name}: ours failed: ${row.error}\n`)
  }
  return rows.some((r) => r.error) ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
)
