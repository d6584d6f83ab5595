import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { bench, describe } from 'vitest'
import { getWasmKernel, registerWasmGradientKernels } from './index'

// The convolutions of one training step on the wasm backend, for the layers of a 64×64 DCGAN
// (width 64, kernel 4, stride 2, 'same') at batch 64. Run with:
//   npx vitest bench --run src/engine/backend/wasm-kernels
// Each name carries the layer's GFLOP (2 × multiply-adds); GFLOP/s = that × the reported hz.
await tf.setBackend('wasm')
// tfjs's own transposed convolution, kept to compare against: registering replaces it.
const tfjsBackpropInput = getWasmKernel('Conv2DBackpropInput')
if (tfjsBackpropInput == null) throw new Error('tfjs-backend-wasm registered no Conv2DBackpropInput kernel.')
registerWasmGradientKernels()

// x is the conv's input (D) or the transposed conv's output (G); dy the other side.
const layers: Array<{ x: [number, number, number, number]; filter: [number, number, number, number] }> = [
  { x: [64, 64, 64, 3], filter: [4, 4, 3, 64] },
  { x: [64, 32, 32, 64], filter: [4, 4, 64, 128] },
  { x: [64, 16, 16, 128], filter: [4, 4, 128, 256] },
  { x: [64, 8, 8, 256], filter: [4, 4, 256, 512] }
]

// The gradient kernels have no public op; call them as backprop does.
function run(kernelName: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>): void {
  const all = { strides: 2, pad: 'same', dataFormat: 'NHWC', ...attrs } as unknown as tf.NamedAttrMap
  tf.engine().runKernel<tf.Tensor>(kernelName, inputs, all).dispose()
}

function runTfjsBackpropInput(dy: tf.Tensor, filter: tf.Tensor, inputShape: number[]): void {
  const backend = tf.backend()
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape } as unknown as tf.NamedAttrMap
  const out = tfjsBackpropInput?.kernelFunc({ inputs: { dy, filter }, backend, attrs }) as tf.TensorInfo
  backend.disposeData(out.dataId)
}

const options = { time: 0, iterations: 4, warmupIterations: 1, warmupTime: 0 }

for (const layer of layers) {
  const x = tf.randomNormal<tf.Rank.R4>(layer.x)
  const filter = tf.randomNormal<tf.Rank.R4>(layer.filter)
  const dy = tf.randomNormal<tf.Rank.R4>(tf.conv2d(x, filter, 2, 'same').shape)
  const [, outHeight, outWidth] = dy.shape
  const [filterHeight, filterWidth, inChannels, outChannels] = layer.filter
  const gflop = (2 * layer.x[0] * outHeight * outWidth * filterHeight * filterWidth * inChannels * outChannels) / 1e9
  const title = `x [${layer.x.join(',')}] ↔ dy [${dy.shape.join(',')}] filter [${layer.filter.join(',')}] stride 2 same, ${gflop.toFixed(2)} GFLOP`

  describe(title, () => {
    bench('Conv2D (forward, XNNPACK)', () => tf.conv2d(x, filter, 2, 'same').dispose(), options)
    bench('Conv2DBackpropFilter (ours)', () => run('Conv2DBackpropFilter', { x, dy }, { filterShape: layer.filter }), options)
    bench('Conv2DBackpropInput (ours)', () => run('Conv2DBackpropInput', { dy, filter }, { inputShape: layer.x }), options)
    bench('Conv2DBackpropInput (tfjs-backend-wasm)', () => runTfjsBackpropInput(dy, filter, layer.x), options)
  })
}
