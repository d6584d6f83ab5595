import * as tf from '@tensorflow/tfjs'
import { ADAM_UPDATE, type AdamUpdateAttrs, fitsAdamUpdate } from '../backend/webgpu/kernels/adam-update'

/**
 * The studio's Adam: tfjs's AdamOptimizer everywhere, except that on the webgpu backend each variable's update
 * is one GPU program (`StudioAdamUpdate`, backend/webgpu/kernels/adam-update.ts) instead of about 13. Its state
 * is tfjs's own — the same moment variables, names (`<variable>/m`, `<variable>/v`), order, `iterations`,
 * getWeights/setWeights and dispose — so checkpoints (optimizer-state.ts) are unchanged, and on every other
 * backend applyGradients is tfjs's, bit for bit.
 */
export function createAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return new StudioAdamOptimizer(learningRate, beta1, beta2, epsilon)
}

/** What AdamOptimizer keeps private (tfjs-core 4.22); the fused path reads and extends exactly this state. */
interface AdamState {
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0]

class StudioAdamOptimizer extends tf.AdamOptimizer {
  /**
   * β₁ᵗ and β₂ᵗ, as tfjs keeps them in its accBeta variables: float32, multiplied by β once per step. Kept here
   * as numbers because the fused program takes them as uniforms, and reading the variables back from the GPU
   * would wait for the queue every step.
   */
  private accBeta1Value: number
  private accBeta2Value: number

  constructor(learningRate: number, beta1: number, beta2: number, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon)
    this.accBeta1Value = Math.fround(beta1)
    this.accBeta2Value = Math.fround(beta2)
  }

  override applyGradients(variableGradients: VariableGradients): void {
    if (tf.getBackend() !== 'webgpu' || !(tf.getKernel(ADAM_UPDATE, 'webgpu') as tf.KernelConfig | undefined)) {
      super.applyGradients(variableGradients)
    } else {
      this.applyFused(variableGradients)
    }
    // tfjs's accBeta.assign(mul(accBeta, β)): a float32 product.
    this.accBeta1Value = Math.fround(this.accBeta1Value * Math.fround(this.beta1))
    this.accBeta2Value = Math.fround(this.accBeta2Value * Math.fround(this.beta2))
  }

  override async setWeights(weightValues: Parameters<tf.Optimizer['setWeights']>[0]): Promise<void> {
    await super.setWeights(weightValues)
    // tfjs sets accBeta to pow(β, iterations + 1), which may differ in the last bit from the product of
    // iterations + 1 factors that a run never interrupted holds. The product, so that a resumed run continues
    // bit for bit as the run that saved would have (a loop of multiplications: microseconds per thousand steps).
    this.accBeta1Value = floatPower(this.beta1, this.iterations + 1)
    this.accBeta2Value = floatPower(this.beta2, this.iterations + 1)
  }

  /** AdamOptimizer.applyGradients with each variable's update fused into one program. */
  private applyFused(variableGradients: VariableGradients): void {
    const state = this as unknown as AdamState
    const named = Array.isArray(variableGradients) ? variableGradients : null
    const names = named ? named.map((v) => v.name) : Object.keys(variableGradients)
    // tfjs computes sub(1, accBeta) in float32.
    const oneMinusAccBeta1 = Math.fround(1 - this.accBeta1Value)
    const oneMinusAccBeta2 = Math.fround(1 - this.accBeta2Value)
    const attrs: AdamUpdateAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      oneMinusAccBeta1,
      oneMinusAccBeta2,
      learningRate: this.learningRate,
      epsilon: this.epsilon
    }
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]
        if (!value) throw new Error(`Adam was given a gradient for '${name}', which is not a variable.`)
        // Moments are made lazily, named and placed exactly as tfjs's Adam makes them: position i of the list.
        const m = (state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable
        const v = (state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable
        const gradient = named ? named[i]?.tensor : (variableGradients as tf.NamedTensorMap)[name]
        if (gradient == null) return
        if (fitsAdamUpdate(value, gradient, m, v)) {
          const [newM, newV, newValue] = tf.engine().runKernel<tf.Tensor[]>(ADAM_UPDATE, { gradient, m, v, value }, attrs as unknown as tf.NamedAttrMap)
          m.assign(newM as tf.Tensor)
          v.assign(newV as tf.Tensor)
          value.assign(newValue as tf.Tensor)
          return
        }
        // What the program does not take (another dtype, mismatched moments): tfjs's ops, in tfjs's order.
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1))
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2))
        const mHat = tf.div(newM, oneMinusAccBeta1)
        const vHat = tf.div(newV, oneMinusAccBeta2)
        m.assign(newM)
        v.assign(newV)
        value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value))
      })
      // tfjs's accBeta variables follow the fused steps too (uploaded, no program), so that getWeights,
      // setWeights and a later step on another backend see the state tfjs would have.
      state.accBeta1.assign(tf.scalar(Math.fround(this.accBeta1Value * Math.fround(this.beta1))))
      state.accBeta2.assign(tf.scalar(Math.fround(this.accBeta2Value * Math.fround(this.beta2))))
    })
    this.incrementIterations()
  }
}

/** βⁿ as n float32 multiplications, as tfjs's accBeta variables reach it step by step from β. */
function floatPower(beta: number, n: number): number {
  const factor = Math.fround(beta)
  let power = factor
  for (let i = 1; i < n; i++) power = Math.fround(power * factor)
  return power
}
