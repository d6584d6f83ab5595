import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CudaProbeResult, CudaReport } from '../../shared/api/cuda-doctor'
import type { EngineStatus } from '../../shared/api/engine'
import { diagnoseThisMachine } from '../../node/cuda-doctor'
import { appRoot, packageVersion } from './app-paths'

/** Where the ffmpeg binary comes from: FFMPEG_PATH, else the one shipped in @ffmpeg-installer/ffmpeg. */
export function ffmpegInfo(): { path: string | null; version: string | null; source: string; problem: string | null } {
  const override = process.env.FFMPEG_PATH
  let file: string
  let source: string
  if (override) {
    file = override
    source = 'FFMPEG_PATH'
  } else {
    source = '@ffmpeg-installer/ffmpeg'
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here, so a broken install is reported, not fatal
      file = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path
    } catch (err) {
      return { path: null, version: null, source, problem: `not available: ${(err as Error).message.split('\n')[0]}` }
    }
  }
  try {
    const out = execFileSync(file, ['-version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] })
    const version = /ffmpeg version (\S+)/.exec(out)?.[1] ?? 'unknown'
    return { path: file, version, source, problem: null }
  } catch (err) {
    return { path: file, version: null, source, problem: `cannot run ${file}: ${(err as Error).message.split('\n')[0]}` }
  }
}

/** Whether Electron's binary is present, and where (the npm package installs without it here). */
export function electronBinary(): { version: string | null; path: string | null; present: boolean } {
  const version = packageVersion('electron')
  try {
    const dir = path.dirname(require.resolve('electron/package.json', { paths: [appRoot()] }))
    const pathFile = path.join(dir, 'path.txt')
    if (!fs.existsSync(pathFile)) return { version, path: null, present: false }
    const executable = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim())
    return { version, path: executable, present: fs.existsSync(executable) }
  } catch {
    return { version, path: null, present: false }
  }
}

export interface DoctorReport {
  node: string
  platform: string
  electron: { version: string | null; binary: string | null; binaryPresent: boolean; display: string | null }
  tfjs: { version: string | null; wasm: string | null; nodeGpu: string | null; node: string | null; webgpu: string | null; dawn: string | null }
  engine: EngineStatus
  /** What the tensorflow-gpu rung needs and what this machine has, and the one-op probe's verdict. */
  cuda: CudaReport
  cudaProbe: CudaProbeResult
  sharp: string | null
  ffmpeg: ReturnType<typeof ffmpegInfo>
  library: { root: string; source: string }
}

export function displayName(): string | null {
  if (process.platform !== 'linux') return process.platform
  return process.env.WAYLAND_DISPLAY ?? process.env.DISPLAY ?? null
}

export function collectDoctorReport(engine: EngineStatus, library: { root: string; source: string }, cudaProbe: CudaProbeResult): DoctorReport {
  const electron = electronBinary()
  let sharp: string | null
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here so a broken native install is reported, not fatal
    sharp = (require('sharp') as { versions: { sharp: string; vips: string } }).versions.sharp
  } catch {
    sharp = null
  }
  return {
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    electron: { version: electron.version, binary: electron.path, binaryPresent: electron.present, display: displayName() },
    tfjs: {
      version: packageVersion('@tensorflow/tfjs'),
      wasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
      nodeGpu: packageVersion('@tensorflow/tfjs-node-gpu'),
      node: packageVersion('@tensorflow/tfjs-node'),
      webgpu: packageVersion('@tensorflow/tfjs-backend-webgpu'),
      // Dawn's Node bindings: the `webgpu` package.
      dawn: packageVersion('webgpu')
    },
    engine,
    // The engine's report knows how loading tfjs-node-gpu went; it has one only when it tried that rung.
    cuda: engine.cuda ?? diagnoseThisMachine({ version: packageVersion('@tensorflow/tfjs-node-gpu') }),
    cudaProbe,
    sharp,
    ffmpeg: ffmpegInfo(),
    library
  }
}
