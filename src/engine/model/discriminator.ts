import type * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../shared/formats/model'
import { buildFromPlan } from './build'
import { describeDiscriminator } from './layers'

/**
 * The paper's discriminator, laid out as PyTorch's DCGAN example; for 64×64 and width 64:
 *   image [b, 64, 64, 3], pixels in [-1, 1]
 *   → d_conv0   stride 2, no bias, no BN  [b, 32, 32, 64]  → d_lrelu0
 *   → d_conv1                             [b, 16, 16, 128] → d_bn1 → d_lrelu1
 *   → d_conv2                             [b, 8, 8, 256]   → d_bn2 → d_lrelu2
 *   → d_conv3                             [b, 4, 4, 512]   → d_bn3 → d_lrelu3
 *   → d_flatten                           [b, 8192]
 *   → d_logit   dense, no bias            [b, 1]   (= Conv2d(512, 1, 4, 1, 0) on 4×4)
 *   → d_sigmoid                           [b, 1], probability the image is real
 * 32×32 has one conv fewer and 128×128 one more; `describeDiscriminator` gives the exact plan for a config.
 * Training code that wants logits (for a numerically stable loss) can read the `d_logit` layer.
 */
export function buildDiscriminator(config: ModelConfig, seed?: number): tf.LayersModel {
  return buildFromPlan(describeDiscriminator(config), config, seed, 'discriminator')
}
