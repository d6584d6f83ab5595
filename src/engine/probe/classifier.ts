import * as tf from '@tensorflow/tfjs'
import { yieldAndCheck } from './cancel'

/**
 * The probe's classifier: multinomial logistic regression with an L2 penalty (the paper used an L2-SVM; both
 * are regularised linear classifiers, and this one needs no one-vs-rest wrapper for ten classes).
 *
 * - Features are standardised on the training set, then scaled so an example's squared length is about 1
 *   (each dimension gets variance 1/d). The weight-decay grid then means the same for 784 pixels and for
 *   15,000 D features, and the problem is well conditioned. Constant dimensions (an always-black border) drop out.
 * - Objective: mean cross-entropy + λ/2 ‖W‖² (the bias is not penalised). It is smooth and strongly convex, so
 *   it is minimised by Nesterov's accelerated gradient with the step its curvature allows: the cross-entropy's
 *   Hessian is at most ½ XᵀX/n per class, so W steps by 1/(½ λmax(XᵀX/n) + λ), with λmax from a few power
 *   iterations, and the bias (features are centred) by 2. Deterministic: the same data give the same numbers.
 */

export interface Standardiser {
  /** [d] training means. */
  mean: tf.Tensor1D
  /** [d] 1 / (std · √d′), or 0 for a constant dimension (d′ counts the others). */
  scale: tf.Tensor1D
}

export interface LinearModel {
  weights: tf.Tensor2D
  bias: tf.Tensor1D
}

/** Labelled, standardised examples on the backend: x [n, d], labels [n] (class numbers 0…k−1). */
export interface Examples {
  x: tf.Tensor2D
  labels: tf.Tensor1D
}

export function fitStandardiser(x: tf.Tensor2D): Standardiser {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0)
    const std = variance.sqrt()
    // Relative to the largest spread, so rounding noise on a constant dimension does not count as signal.
    const alive = std.greater(std.max().mul(1e-6))
    const used = Math.max(1, alive.sum().dataSync()[0] as number)
    const scale = tf.where(alive, std.maximum(1e-12).reciprocal().div(Math.sqrt(used)), tf.zerosLike(std))
    return { mean: mean as tf.Tensor1D, scale: scale as tf.Tensor1D }
  })
}

export function standardise(x: tf.Tensor2D, s: Standardiser): tf.Tensor2D {
  return tf.tidy(() => x.sub(s.mean).mul(s.scale))
}

/** Largest eigenvalue of XᵀX/n, by power iteration (a slight overestimate is safe; it only shortens steps). */
export function largestEigenvalue(x: tf.Tensor2D, iterations = 30): number {
  return tf.tidy(() => {
    const n = x.shape[0]
    let v: tf.Tensor2D = tf.ones([x.shape[1], 1]).div(Math.sqrt(x.shape[1]))
    let value = 0
    for (let i = 0; i < iterations; i++) {
      const next = tf.matMul(x, tf.matMul(x, v), true, false).div(n) as tf.Tensor2D
      value = next.norm().dataSync()[0] as number
      if (value === 0) return 0
      v = next.div(value)
    }
    return value * 1.05
  })
}

export interface FitOptions {
  classes: number
  weightDecay: number
  iterations: number
  /** λmax(XᵀX/n) of the training features (largestEigenvalue), shared by every fit on them. */
  curvature: number
  /** Start from this model (the previous weight decay's), else from zero. */
  from?: LinearModel
  signal?: AbortSignal
}

/** Fits W and b to the examples; returns new tensors (the caller disposes them). */
export async function fitLinear(train: Examples, options: FitOptions): Promise<LinearModel> {
  const { classes, weightDecay, iterations } = options
  const [n, d] = train.x.shape
  const targets = tf.tidy(() => tf.oneHot(train.labels.toInt(), classes).toFloat())
  const weightStep = 1 / (0.5 * options.curvature + weightDecay)
  const biasStep = 2
  // Nesterov's constant momentum for a μ-strongly convex function with L-Lipschitz gradient (μ = λ).
  const ratio = Math.sqrt(weightDecay * weightStep)
  const momentum = (1 - ratio) / (1 + ratio)
  let current: LinearModel = options.from ? { weights: options.from.weights.clone(), bias: options.from.bias.clone() } : { weights: tf.zeros([d, classes]), bias: tf.zeros([classes]) }
  let previous: LinearModel = { weights: current.weights.clone(), bias: current.bias.clone() }
  try {
    for (let i = 0; i < iterations; i++) {
      const next = tf.tidy(() => {
        const w = current.weights.add(current.weights.sub(previous.weights).mul(momentum)) as tf.Tensor2D
        const b = current.bias.add(current.bias.sub(previous.bias).mul(momentum)) as tf.Tensor1D
        const residual = tf.softmax(train.x.matMul(w).add(b)).sub(targets).div(n) as tf.Tensor2D
        const gradW = tf.matMul(train.x, residual, true, false).add(w.mul(weightDecay))
        const gradB = residual.sum(0)
        return { weights: w.sub(gradW.mul(weightStep)) as tf.Tensor2D, bias: b.sub(gradB.mul(biasStep)) as tf.Tensor1D }
      })
      tf.dispose([previous.weights, previous.bias])
      previous = current
      current = next
      if (i % 20 === 19) await yieldAndCheck(options.signal)
    }
    return current
  } catch (error) {
    tf.dispose([current.weights, current.bias])
    throw error
  } finally {
    tf.dispose([previous.weights, previous.bias, targets])
  }
}

/** Predicted class of each example ([n] int32). */
export function predict(model: LinearModel, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => x.matMul(model.weights).add(model.bias).argMax(1) as tf.Tensor1D)
}

/** How many examples the model classifies correctly. */
export async function countCorrect(model: LinearModel, examples: Examples): Promise<number> {
  const hits = tf.tidy(() => predict(model, examples.x).equal(examples.labels.toInt()).sum())
  try {
    return (await hits.data())[0] as number
  } finally {
    hits.dispose()
  }
}
