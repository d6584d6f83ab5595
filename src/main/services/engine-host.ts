import { EventEmitter } from 'node:events'
import * as os from 'node:os'
import type { z } from 'zod'
import { electronVersion } from '../../node/runtime'
import type { BackendName, EngineStatus } from '../../shared/api/engine'
import { StudioError, describeZodError } from '../../shared/api/errors'
import {
  ENGINE_PROTOCOL_VERSION,
  type EngineEvent,
  type EngineInfo,
  type EngineMethod,
  type EngineParams,
  type EngineResult,
  EngineToHost,
  engineMethods
} from '../../shared/engine-protocol'
import type { EngineLauncher, EngineProcess } from './engine-process'

export interface EngineHostOptions {
  launcher: EngineLauncher
  /** Force a backend instead of walking the ladder. */
  backend?: BackendName | null
  /**
   * Threads for the wasm backend's pool (default: every core). A user's DCGAN_STUDIO_WASM_THREADS wins. Engines
   * that run side by side share the cores: see `explorerThreads`.
   */
  threads?: number | null
  /** How long the engine may take to load TensorFlow.js and report ready. */
  readyTimeoutMs?: number
  /** Restarts allowed within `restartWindowMs` before the host gives up and stays crashed. */
  maxRestarts?: number
  restartWindowMs?: number
}

export interface RequestOptions<M extends EngineMethod = EngineMethod> {
  signal?: AbortSignal
  onProgress?: (progress: number, message: string) => void
  /** Structured events of a long-running request (validated against the method's event schema). */
  onEvent?: (event: EngineEvent<M>) => void
}

interface Pending {
  method: EngineMethod
  resolve(result: unknown): void
  reject(error: StudioError): void
  onProgress: ((progress: number, message: string) => void) | undefined
  onEvent: ((event: unknown) => void) | undefined
}

/**
 * Supervises one engine process: spawns it, waits for its ready handshake, routes requests and progress,
 * notices when it dies, fails the requests it was working on with a clear error, and starts a new one.
 * Emits 'status' with an EngineStatus whenever its state changes.
 */
export class EngineHost extends EventEmitter<{ status: [EngineStatus] }> {
  private readonly options: Required<EngineHostOptions>
  private process: EngineProcess | null = null
  private info: EngineInfo | null = null
  private state: EngineStatus['state'] = 'stopped'
  private starting: Promise<EngineInfo> | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private restarts = 0
  private recentCrashes: number[] = []
  private lastError: string | null = null
  private stopping = false

  constructor(options: EngineHostOptions) {
    super()
    this.options = {
      backend: null,
      threads: null,
      readyTimeoutMs: 60_000,
      maxRestarts: 5,
      restartWindowMs: 60_000,
      ...options
    }
  }

  status(): EngineStatus {
    const info = this.info
    return {
      state: this.state,
      pid: this.process?.pid ?? null,
      backend: info?.backend ?? null,
      backendReason: info?.backendReason ?? (this.state === 'starting' ? 'starting the engine' : 'the engine is not running'),
      attempts: info?.attempts ?? [],
      gpu: info?.gpu ?? { available: false, reason: 'unknown until the engine has started' },
      cuda: info?.cuda,
      webgpuAdapter: info?.webgpuAdapter ?? null,
      versions: info?.versions ?? { node: process.versions.node, tfjs: 'unknown', electron: electronVersion() },
      restarts: this.restarts,
      lastError: this.lastError
    }
  }

  /** Starts the engine if it is not running; resolves once it has reported ready. */
  start(): Promise<EngineInfo> {
    if (this.state === 'ready' && this.info) return Promise.resolve(this.info)
    if (this.starting) return this.starting
    this.stopping = false
    this.starting = this.spawn().finally(() => {
      this.starting = null
    })
    return this.starting
  }

  async request<M extends EngineMethod>(method: M, params: EngineParams<M>, options: RequestOptions<M> = {}): Promise<EngineResult<M>> {
    if (options.signal?.aborted) throw new StudioError('cancelled', 'Cancelled.')
    await this.start()
    if (options.signal?.aborted) throw new StudioError('cancelled', 'Cancelled.')
    const child = this.process
    if (!child) throw new StudioError('engine_unavailable', 'The engine is not running.')
    const id = this.nextId++
    const raw = await new Promise<unknown>((resolve, reject) => {
      const onEvent = options.onEvent as ((event: unknown) => void) | undefined
      this.pending.set(id, { method, resolve, reject, onProgress: options.onProgress, onEvent })
      options.signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return
          child.send({ v: ENGINE_PROTOCOL_VERSION, type: 'cancel', id })
          this.pending.delete(id)
          reject(new StudioError('cancelled', 'Cancelled.'))
        },
        { once: true }
      )
      child.send({ v: ENGINE_PROTOCOL_VERSION, type: 'request', id, method, params })
    })
    const parsed = engineMethods[method].result.safeParse(raw)
    if (!parsed.success) {
      throw new StudioError('bad_response', describeZodError(parsed.error, `engine response to ${method}`))
    }
    return parsed.data as EngineResult<M>
  }

  /** Stops the engine for good (until start() is called again). */
  async stop(): Promise<void> {
    this.stopping = true
    const child = this.process
    if (!child) return
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()))
    child.send({ v: ENGINE_PROTOCOL_VERSION, type: 'shutdown' })
    const timer = setTimeout(() => child.kill(), 3000)
    await exited
    clearTimeout(timer)
  }

  /** Uses another backend from the next start on (null: walk the ladder). */
  setBackend(backend: BackendName | null): void {
    this.options.backend = backend
  }

  /** Kills the running engine and starts a fresh one (the UI's "restart engine"). */
  async restart(): Promise<EngineInfo> {
    await this.stop()
    return this.start()
  }

  private setState(state: EngineStatus['state']): void {
    this.state = state
    this.emit('status', this.status())
  }

  private spawn(): Promise<EngineInfo> {
    this.info = null
    const env: Record<string, string> = {}
    if (this.options.backend) env.DCGAN_STUDIO_BACKEND = this.options.backend
    if (this.options.threads !== null && process.env.DCGAN_STUDIO_WASM_THREADS === undefined) {
      env.DCGAN_STUDIO_WASM_THREADS = String(this.options.threads)
    }
    const child = this.options.launcher({ env })
    this.process = child
    this.setState('starting')
    return new Promise<EngineInfo>((resolve, reject) => {
      let settled = false
      let becameReady = false
      const fail = (message: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.lastError = message
        child.kill()
        this.setState(this.stopping ? 'stopped' : 'crashed')
        reject(new StudioError('engine_unavailable', message))
      }
      const timer = setTimeout(() => fail(`The engine did not start within ${Math.round(this.options.readyTimeoutMs / 1000)} s.`), this.options.readyTimeoutMs)
      child.onMessage((raw) => {
        const version = (raw as { v?: unknown } | null)?.v
        if (version !== ENGINE_PROTOCOL_VERSION) {
          fail(
            `The engine speaks protocol version ${String(version)}, this app expects ${ENGINE_PROTOCOL_VERSION}. ` +
              'The build is out of date: run `npm run build`.'
          )
          return
        }
        const parsed = EngineToHost.safeParse(raw)
        if (!parsed.success) {
          console.error(`engine host: ignored a malformed engine message — ${describeZodError(parsed.error, 'message')}`)
          return
        }
        const message = parsed.data
        switch (message.type) {
          case 'ready':
            if (settled) return
            settled = true
            becameReady = true
            clearTimeout(timer)
            this.info = message.info
            this.lastError = null
            this.setState('ready')
            resolve(message.info)
            return
          case 'fatal':
            fail(`The engine could not start: ${message.error.message}`)
            return
          case 'progress':
            this.pending.get(message.id)?.onProgress?.(message.progress, message.message)
            return
          case 'event': {
            const pending = this.pending.get(message.id)
            if (!pending?.onEvent) return
            const schema = (engineMethods[pending.method] as { event?: z.ZodType }).event
            const event = schema?.safeParse(message.event)
            if (!event?.success) {
              console.error(`engine host: dropped a malformed ${pending.method} event${event ? ` — ${describeZodError(event.error, 'event')}` : ''}`)
              return
            }
            pending.onEvent(event.data)
            return
          }
          case 'response': {
            const pending = this.pending.get(message.id)
            if (!pending) return // cancelled meanwhile
            this.pending.delete(message.id)
            if (message.outcome.ok) pending.resolve(message.outcome.result)
            else pending.reject(StudioError.fromData(message.outcome.error))
          }
        }
      })
      child.onExit(({ code, signal }) => {
        if (this.process === child) this.process = null
        const how = signal ? `was killed (${signal})` : `exited with code ${String(code)}`
        if (!becameReady) {
          // It never became ready: restarting would most likely fail the same way, so stay crashed.
          fail(`The engine ${how} while starting.`)
          return
        }
        this.onExit(how)
      })
    })
  }

  private onExit(how: string): void {
    const orphans = [...this.pending.values()]
    this.pending.clear()
    if (this.stopping) {
      for (const p of orphans) p.reject(new StudioError('cancelled', 'The engine was stopped.'))
      this.setState('stopped')
      return
    }
    const message = `The engine process stopped unexpectedly (it ${how}).`
    this.lastError = message
    for (const p of orphans) {
      p.reject(new StudioError('engine_crashed', `${message} Your request (${p.method}) was lost; the engine is restarting — try again.`))
    }
    this.setState('crashed')
    const now = Date.now()
    this.recentCrashes = this.recentCrashes.filter((t) => now - t < this.options.restartWindowMs)
    this.recentCrashes.push(now)
    if (this.recentCrashes.length > this.options.maxRestarts) {
      this.lastError = `${message} It crashed ${this.recentCrashes.length} times in a row, so it was not restarted; use "Restart engine".`
      this.emit('status', this.status())
      return
    }
    this.restarts++
    this.start().catch(() => {
      // start() records the reason in lastError and the status event already carries it.
    })
  }
}

/**
 * The explorer engine's share of the cores: half of them. It runs beside trainers and experiment jobs, which
 * take every core; two thread pools each sized to the whole machine and busy at once made training about 5×
 * slower on a 2-core machine (docs/performance.md), while a walk or slider frame barely notices one thread less.
 */
export function explorerThreads(cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2))
}
