/**
 * Entry point of an engine process: the only place TensorFlow.js runs. Started by the engine host (Electron
 * utilityProcess or Node child process), it picks a backend, announces itself with a ready message, then
 * answers requests until it is told to shut down or its host goes away.
 */
import * as tf from '@tensorflow/tfjs'
import { BackendName } from '../shared/api/engine'
import { toErrorData } from '../shared/api/errors'
import { electronVersion } from '../node/runtime'
import { ENGINE_PROTOCOL_VERSION } from '../shared/engine-protocol'
import { releaseBackend, selectBackend } from './backend/select'
import { connectToHost } from './host-port'
import { serveEngine } from './server'

async function main(): Promise<void> {
  const port = connectToHost()
  port.onDisconnect(() => {
    releaseBackend()
    process.exit(0)
  })
  try {
    const requested = process.env.DCGAN_STUDIO_BACKEND ? BackendName.parse(process.env.DCGAN_STUDIO_BACKEND) : null
    const choice = await selectBackend(requested)
    await tf.ready()
    const info = {
      pid: process.pid,
      backend: choice.backend,
      backendReason: choice.reason,
      attempts: choice.attempts,
      gpu: choice.gpu,
      cuda: choice.cuda ?? undefined,
      webgpuAdapter: choice.webgpuAdapter,
      versions: { node: process.versions.node, tfjs: tf.version.tfjs, electron: electronVersion() }
    }
    serveEngine(port, info)
    port.send({ v: ENGINE_PROTOCOL_VERSION, type: 'ready', info })
  } catch (err) {
    port.send({ v: ENGINE_PROTOCOL_VERSION, type: 'fatal', error: toErrorData(err) })
    // Give the message a moment to leave before exiting.
    setTimeout(() => process.exit(1), 100)
  }
}

void main()
