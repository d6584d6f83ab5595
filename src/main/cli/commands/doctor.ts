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
  engine process to ask it directly.`

export async function doctor(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {})
  const out = makeOutput(values.json)
  const library = resolveLibrary({ flag: values.library })
  const engine = new EngineHost({ launcher: launchNodeEngine, backend: parseBackend(values.backend) })
  await engine.start().catch(() => undefined)
  const report = collectDoctorReport(engine.status(), library)
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
  out.say(`  sharp         ${report.sharp ?? 'missing'}`)
  out.say(
    `  ffmpeg        ${report.ffmpeg.version ? `${report.ffmpeg.version} (${report.ffmpeg.path}, from ${report.ffmpeg.source})` : (report.ffmpeg.problem ?? 'missing')}`
  )
  out.say(`  Library       ${report.library.root} (${report.library.source})`)
  return e.state === 'ready' ? 0 : 1
}
