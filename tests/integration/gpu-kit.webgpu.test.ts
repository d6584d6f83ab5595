import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CudaReport } from '../../src/shared/api/cuda-doctor'
import { tempDir } from '../support/fixtures'
import { requireSwiftShader } from '../support/swiftshader'
import { requireSystemPackage } from '../support/system-packages'

// The GPU measuring kit (scripts/gpu-kit.mjs) and the one command that uses it on a lent GPU machine
// (scripts/gpu-measure.sh), checked here as far as a machine without a GPU can: the kit is built, copied where no
// node_modules can be found, and its short software run measures on SwiftShader against PyTorch on the CPU, and
// reports the CUDA doctor's findings, from the kit's own Node, bundle and Dawn alone.

const root = path.resolve(__dirname, '..', '..')

beforeAll(() => {
  requireSwiftShader()
  requireSystemPackage('binutils')
  requireSystemPackage('xz-utils')
  requireSystemPackage('python3-torch')
})

describe('the GPU measuring kit', () => {
  it('builds, and its measuring command runs from the kit alone', () => {
    const kit = path.join(tempDir('gpu-kit'), 'kit')
    const built = spawnSync(process.execPath, ['scripts/gpu-kit.mjs', '--fast', '--no-debs', '--out', kit], { cwd: root, encoding: 'utf8' })
    // Exit 3 says the kit and this checkout together pass what travels; the kit itself is what is checked here.
    expect([0, 3], built.stderr).toContain(built.status)
    expect(built.stdout).toMatch(/kit [\d.]+ MiB \+ checkout [\d.]+ MiB = [\d.]+ MiB to travel/)
    expect(built.stdout).toContain('bash scripts/gpu-measure.sh')
    for (const file of ['node.xz', 'bench.mjs', 'engine.cjs', 'torch_dcgan.py', 'manifest.json', 'node_modules/webgpu/dist/linux-x64/dawn.node.xz']) {
      expect(fs.existsSync(path.join(kit, file)), file).toBe(true)
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(kit, 'manifest.json'), 'utf8')) as { node: string; files: { file: string; bytes: number }[] }
    expect(manifest.node).toBe(process.version)
    // Stripped and compressed, Node and dawn.node are a fraction of their 99 MB and 21 MB.
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0)
    expect(bytes).toBeLessThan(40 * 1024 * 1024)

    // Run from a folder with no node_modules above it, as on the lent machine.
    const cwd = tempDir('gpu-measure')
    const out = path.join(cwd, 'out')
    const run = spawnSync('bash', [path.join(root, 'scripts', 'gpu-measure.sh')], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GPU_KIT: kit, OUT: out, GPU_MEASURE_SOFTWARE: '1', GPU_MEASURE_PYTHON: '/usr/bin/python3', NODE_PATH: '' },
      timeout: 280_000
    })
    const log = fs.existsSync(path.join(out, 'measure.log')) ? fs.readFileSync(path.join(out, 'measure.log'), 'utf8') : run.stdout
    expect(run.status, log.slice(-3000)).toBe(0)
    expect(log).toContain(`node ${process.version}`)
    expect(log).toMatch(/Backend: webgpu on SwiftShader.*not GPU speed/)

    const rows = fs
      .readFileSync(path.join(out, 'bench.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; ours: number; reference: number; ratio: number; unit: string })
    expect(rows.map((r) => r.name)).toEqual(['generate-64-b1'])
    const [row] = rows
    expect(row?.unit).toBe('ms/frame')
    expect(row?.ours).toBeGreaterThan(0)
    expect(row?.reference).toBeGreaterThan(0)
    expect(row?.ratio).toBeCloseTo((row?.reference ?? 0) / (row?.ours ?? 1), 6)

    const dispatchCost = fs.readFileSync(path.join(out, 'dispatch-cost.txt'), 'utf8')
    expect(dispatchCost).toMatch(/^webgpu: 2000 programs issued at [\d.]+ µs each \(CPU side\)/)
    expect(dispatchCost).toMatch(/\nwebgpu: one program read back \(4,096 values, data\(\)\) in \d+ µs \(median of 200\)\n/)

    const summary = fs.readFileSync(path.join(out, 'summary.txt'), 'utf8')
    expect(summary).toContain('not GPU speed')
    expect(summary).toMatch(/\| generate-64-b1 \| [\d.]+ \| [\d.]+ \| [\d.]+× \| ms\/frame \|/)

    // This machine has no NVIDIA driver: the doctor says so, in the schema the studio reports it in.
    const doctor = CudaReport.parse(JSON.parse(fs.readFileSync(path.join(out, 'cuda-doctor.json'), 'utf8')))
    expect(doctor.findings.length).toBeGreaterThan(0)
  })

  it('measures the reference even when the backend does not start, and says why ours is missing', () => {
    // The Vulkan loader with no driver behind it: Dawn offers no adapter, as on a GPU machine whose driver is missing.
    const env = { ...process.env, VK_ICD_FILENAMES: path.join(tempDir('no-icd'), 'missing_icd.json') }
    const reference = path.resolve(root, '..', 'shared', 'bench', 'torch_dcgan.py')
    const args = ['scripts/bench.mjs', '--backend', 'webgpu', '--quick', '--only', 'generate-64-b1', '--json']
    const result = spawnSync(process.execPath, [...args, '--reference-python', '/usr/bin/python3', '--reference-script', reference], {
      cwd: root,
      env,
      encoding: 'utf8'
    })
    expect(result.status, result.stderr.slice(-2000)).toBe(1)
    const row = JSON.parse(result.stdout.trim()) as { ours: number | null; reference: number; ratio: number | null; error: string }
    expect(row.ours).toBeNull()
    expect(row.ratio).toBeNull()
    expect(row.reference).toBeGreaterThan(0)
    expect(row.error).toMatch(/^webgpu did not start: .*no GPU adapter/)
  })

  it('refuses a CPU-only reference script for a GPU reference', () => {
    const result = spawnSync(process.execPath, ['scripts/bench.mjs', '--reference-device', 'cuda', '--reference-script', 'x.sh'], {
      cwd: root,
      encoding: 'utf8'
    })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--reference-device cuda needs torch_dcgan.py')
  })
})
