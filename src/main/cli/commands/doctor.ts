import type { CudaFinding, CudaProbeResult, CudaReport } from '../../../shared/api/cuda-doctor'
import { adapterName, BACKEND_LABELS, webGpuLimitsText } from '../../../shared/api/engine'
import { collectDoctorReport } from '../../services/diagnostics'
import { launchNodeEngine } from '../../services/engine-process'
import { EngineHost } from '../../services/engine-host'
import { resolveLibrary } from '../../services/library'
import { parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'

export const doctorHelp = `dcgan-studio doctor [--json] [--backend NAME] [--library DIR]
  Reports Node, Electron and TensorFlow.js versions, the engine backend chosen and why (including why a GPU
  is or is not used, and the WebGPU adapter with its limits), ffmpeg, sharp and the library path. Starts an
  engine process to ask it directly.
  The CUDA section checks what the tensorflow-gpu rung needs (NVIDIA driver, the CUDA 11 / cuDNN 8 files
  libtensorflow 2.9 loads, compute capability), says what to do about each problem, and, where
  @tensorflow/tfjs-node-gpu is installed, runs one op to prove it runs on GPU:0 (up to 5 minutes the first
  time on a GPU from sm_80 on, while the driver compiles kernels).`

const MARK: Record<CudaFinding['level'], string> = { ok: '✓', info: '·', warning: '!', problem: '✗' }

export async function doctor(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {})
  const out = makeOutput(values.json)
  const library = resolveLibrary({ flag: values.library })
  const engine = new EngineHost({ launcher: launchNodeEngine, backend: parseBackend(values.backend) })
  await engine.start().catch(() => undefined)
  const probe = await cudaProbe(engine)
  const report = collectDoctorReport(engine.status(), library, probe)
  await engine.stop()
  out.emit(report)
  const e = report.engine
  out.say(`DCGAN Studio doctor`)
  out.say(`  Node.js       ${report.node} (${report.platform})`)
  out.say(
    `  Electron      ${report.electron.version ?? 'not installed'}; binary ${report.electron.binaryPresent ? `present (${report.electron.binary})` : 'not downloaded'}; display ${report.electron.display ?? 'none'}`
  )
  out.say(
    `  TensorFlow.js ${report.tfjs.version ?? 'missing'} (wasm ${report.tfjs.wasm ?? 'missing'}; webgpu ${report.tfjs.webgpu ?? 'not installed'} on Dawn ${report.tfjs.dawn ?? 'not installed'})`
  )
  out.say(`  Engine        ${e.state === 'ready' && e.backend ? `${e.backend} — ${BACKEND_LABELS[e.backend]}` : `not running: ${e.lastError ?? e.state}`}`)
  out.say(`                why: ${e.backendReason}`)
  for (const attempt of e.attempts) out.say(`                  ${attempt.ok ? '✓' : '✗'} ${attempt.backend}: ${attempt.reason}`)
  out.say(`  GPU           ${e.gpu.available ? 'in use' : 'not used'} — ${e.gpu.reason}`)
  const adapter = e.webgpuAdapter
  if (adapter) {
    out.say(`  WebGPU        ${adapterName(adapter)}${adapter.device ? `, device ${adapter.device}` : ''}${adapter.fallback ? ', a fallback adapter' : ''}`)
    out.say(`                ${adapter.software ? `software: ${adapter.software}` : 'a GPU'}; ${e.backend === 'webgpu' ? 'in use' : 'not used'}`)
    out.say(`                limits: ${webGpuLimitsText(adapter.limits)}`)
  } else {
    const tried = e.attempts.some((a) => a.backend === 'webgpu')
    out.say(`  WebGPU        no adapter${tried ? ' (the webgpu rung above says why)' : ' (the webgpu rung was not tried)'}`)
  }
  for (const line of cudaLines(report.cuda, report.cudaProbe)) out.say(line)
  out.say(`  sharp         ${report.sharp ?? 'missing'}`)
  out.say(
    `  ffmpeg        ${report.ffmpeg.version ? `${report.ffmpeg.version} (${report.ffmpeg.path}, from ${report.ffmpeg.source})` : (report.ffmpeg.problem ?? 'missing')}`
  )
  out.say(`  Library       ${report.library.root} (${report.library.source})`)
  return e.state === 'ready' ? 0 : 1
}

/** The probe needs tfjs-node-gpu in an engine; without a running engine there is no one to ask. */
async function cudaProbe(engine: EngineHost): Promise<CudaProbeResult> {
  if (engine.status().state !== 'ready') {
    return { outcome: 'not-run', message: 'the engine did not start, so the probe could not run', device: null, evidence: [], seconds: 0 }
  }
  try {
    return await engine.request('cudaProbe', {})
  } catch (err) {
    return { outcome: 'failed', message: `the engine could not run the probe: ${(err as Error).message}`, device: null, evidence: [], seconds: 0 }
  }
}

/** The CUDA section: each finding with what to do, the libraries where a GPU is in play, the probe. */
function cudaLines(cuda: CudaReport, probe: CudaProbeResult): string[] {
  const pad = '                '
  const lines = [
    `  CUDA          tensorflow-gpu rung: ${cuda.ready ? 'ready' : 'not ready'} (${cuda.platform}${cuda.driver.version ? `, NVIDIA driver ${cuda.driver.version}` : ''})`
  ]
  for (const f of cuda.findings) {
    lines.push(`${pad}${MARK[f.level]} ${f.message}`)
    if (f.action) lines.push(`${pad}  → ${f.action}`)
  }
  const noGpu = cuda.findings.some((f) => f.id === 'gpu' || f.id === 'platform')
  if (!noGpu && cuda.libraries.length > 0) {
    lines.push(`${pad}libraries libtensorflow loads:`)
    for (const lib of cuda.libraries) {
      const where = lib.path ?? (lib.elsewhere.length > 0 ? `not on the loader's path (${lib.elsewhere.join(', ')})` : 'not found')
      lines.push(`${pad}  ${lib.path ? '✓' : '✗'} ${lib.file.padEnd(24)} ${where}`)
    }
  }
  if (cuda.otherVersions.length > 0) lines.push(`${pad}other CUDA / cuDNN versions found: ${cuda.otherVersions.join(', ')}`)
  lines.push(`${pad}probe: ${probe.outcome} — ${probe.message}`)
  for (const line of probe.evidence) lines.push(`${pad}  ${line}`)
  return lines
}
