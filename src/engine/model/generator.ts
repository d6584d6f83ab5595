import type * as tf from '@tensorflow/tfjs'
import type { ModelConfig } from '../../shared/formats/model'
import { buildFromPlan } from './build'
import { describeGenerator } from './layers'

/**
 * The paper's generator (Figure 1), laid out as PyTorch's DCGAN example; for 64×64 and width 64:
 *   z [b, 100]
 *   → g_project  dense, no bias        [b, 8192]       (= ConvTranspose2d(100, 512, 4, 1, 0) on 1×1)
 *   → g_reshape                        [b, 4, 4, 512]  → g_bn0 → g_relu0
 *   → g_deconv1  stride 2, no bias     [b, 8, 8, 256]  → g_bn1 → g_relu1
 *   → g_deconv2                        [b, 16, 16, 128] → g_bn2 → g_relu2
 *   → g_deconv3                        [b, 32, 32, 64] → g_bn3 → g_relu3
 *   → g_out      stride 2, no BN       [b, 64, 64, 3]  → g_tanh, pixels in [-1, 1]
 * 32×32 has one deconv fewer and 128×128 one more; `describeGenerator` gives the exact plan for a config.
 * The same seed gives the same initial weights; without one they are random.
 */
export function buildGenerator(config: ModelConfig, seed?: number): tf.LayersModel {
  return buildFromPlan(describeGenerator(config), config, seed, 'generator')
}
