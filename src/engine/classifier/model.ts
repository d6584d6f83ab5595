import * as tf from '@tensorflow/tfjs'

/**
 * The face-attribute classifier: a small CNN with two heads. `attributes` gives one sigmoid probability per
 * binary attribute (smiling, masculine, glasses, in BINARY_ATTRIBUTES order); `pose` a softmax over POSES. For
 * a 32×32 input, 3 channels in [-1, 1] (the generator's range):
 *   c_conv0  3×3, stride 1   [b, 32, 32, 16] → relu
 *   c_conv1  3×3, stride 2   [b, 16, 16, 32] → relu
 *   c_conv2  3×3, stride 2   [b, 8, 8, 64]   → relu
 *   c_conv3  3×3, stride 2   [b, 4, 4, 64]   → relu
 *   c_flatten                [b, 1024]
 *   c_hidden dense           [b, 96]         → relu
 *   c_attribute_logits [b, 3] → attributes (sigmoid);  c_pose_logits [b, 3] → pose (softmax)
 * Each doubling of the size adds one stride-2 conv, so the last conv always ends at 4×4. No batch norm: the
 * model classifies single generated samples, and without it a prediction never depends on the batch.
 */
export const ATTRIBUTES_OUTPUT = 'attributes'
export const POSE_OUTPUT = 'pose'

const WIDTHS = [16, 32, 64, 64, 96, 96]
const HIDDEN = 96

/** A new, untrained classifier; `seed` fixes its initial weights. Its outputs are probabilities. */
export function buildClassifier(size: number, channels: 1 | 3 = 3, seed = 1): tf.LayersModel {
  const strided = Math.log2(size / 4)
  if (!Number.isInteger(strided) || strided < 1) throw new Error(`The classifier takes square images of 8, 16, 32, 64 or 128 px, got ${size}.`)
  let layer = 0
  const init = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: seed * 1000 + layer++ })
  const input = tf.input({ shape: [size, size, channels], name: 'c_image' })
  let x = tf.layers
    .conv2d({ name: 'c_conv0', filters: WIDTHS[0] as number, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() })
    .apply(input) as tf.SymbolicTensor
  for (let i = 1; i <= strided; i++) {
    const filters = WIDTHS[Math.min(i, WIDTHS.length - 1)] as number
    x = tf.layers
      .conv2d({ name: `c_conv${i}`, filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() })
      .apply(x) as tf.SymbolicTensor
  }
  x = tf.layers.flatten({ name: 'c_flatten' }).apply(x) as tf.SymbolicTensor
  x = tf.layers.dense({ name: 'c_hidden', units: HIDDEN, activation: 'relu', kernelInitializer: init() }).apply(x) as tf.SymbolicTensor
  const attributeLogits = tf.layers.dense({ name: 'c_attribute_logits', units: 3, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor
  const poseLogits = tf.layers.dense({ name: 'c_pose_logits', units: 3, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor
  const attributes = tf.layers.activation({ name: ATTRIBUTES_OUTPUT, activation: 'sigmoid' }).apply(attributeLogits) as tf.SymbolicTensor
  const pose = tf.layers.activation({ name: POSE_OUTPUT, activation: 'softmax' }).apply(poseLogits) as tf.SymbolicTensor
  return tf.model({ name: 'face_classifier', inputs: input, outputs: [attributes, pose] })
}

/** The same layers up to the logits (weights shared), for a numerically stable loss in training. */
export function logitsOf(model: tf.LayersModel): tf.LayersModel {
  const attributes = model.getLayer('c_attribute_logits').output as tf.SymbolicTensor
  const pose = model.getLayer('c_pose_logits').output as tf.SymbolicTensor
  return tf.model({ name: 'face_classifier_logits', inputs: model.inputs, outputs: [attributes, pose] })
}
