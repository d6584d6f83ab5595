import * as tf from '@tensorflow/tfjs'
import { yieldAndCheck } from './cancel'

/**
 * The probe's classifiers: multinomial logistic regression with an L2 penalty, and the paper's L2-SVM
 * (one-vs-rest squared hinge with an L2 penalty, liblinear's LinearSVC), for the paper's protocols.
 *
 * - Features are standardised on the training set, then scaled so an example's squared length is about 1
 *   (each dimension gets variance 1/d). The weight-decay grid then means the same for 784 pixels and for
 *   15,000 D features, and the problem is well conditioned. Constant dimensions (an always-black border) drop out.
 * - Objective: mean cross-entropy + λ/2 ‖W‖² (the bias is not penalised). It is smooth and strongly convex, so
 *   it is minimised by Nesterov's accelerated gradient with the step its curvature allows: the cross-entropy's
 *   Hessian is at most ½ XᵀX/n per class, so W steps by 1/(½ λmax(XᵀX/n) + λ), with λmax from a few power
 *   iterations, and the bias (features are centred) by 2. Deterministic: the same data give the same numbers.
 * - Weight decays are tried strongest first, each fit starting from the previous solution (a regularisation
 *   path), which is already close.
 * - The L2-SVM minimises mean over examples of Σₖ max(0, 1 − yₖ·zₖ)² (yₖ = ±1, one-vs-rest) + λ/2 ‖W‖²; that is
 *   LinearSVC's ½‖w‖² + C·Σ loss divided by C·n, so λ = 1/(C·n). Its gradient's curvature bound is
 *   2 λmax(XᵀX/n) per class, and the bias's 2, so they step by 1/(2 λmax + λ) and ½.
 */

/** Which loss a fit minimises. */
export type LinearLoss = 'logistic' | 'squaredHinge'

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

export async function fitStandardiser(x: tf.Tensor2D): Promise<Standardiser> {
  const { mean, std, alive } = tf.tidy(() => {
    const moments = tf.moments(x, 0)
    const spread = moments.variance.sqrt()
    // Relative to the largest spread, so rounding noise on a constant dimension does not count as signal.
    return { mean: moments.mean as tf.Tensor1D, std: spread, alive: spread.greater(spread.max().mul(1e-6)) }
  })
  try {
    // Read back asynchronously: a GPU backend (webgpu) cannot read synchronously.
    const counted = tf.tidy(() => alive.sum())
    const used = Math.max(1, (await counted.data())[0] as number)
    counted.dispose()
    const scale = tf.tidy(() => tf.where(alive, std.maximum(1e-12).reciprocal().div(Math.sqrt(used)), tf.zerosLike(std)) as tf.Tensor1D)
    return { mean, scale }
  } finally {
    tf.dispose([std, alive])
  }
}

/**
 * Centring only, for the L2-SVM: its C is the paper's (LinearSVC on raw features), which scaling would change.
 * Centred features let the unpenalised bias take its own step.
 */
export function fitCentring(x: tf.Tensor2D): Standardiser {
  return tf.tidy(() => {
    const mean = x.mean<tf.Tensor1D>(0)
    return { mean, scale: tf.onesLike(mean) }
  })
}

export function standardise(x: tf.Tensor2D, s: Standardiser): tf.Tensor2D {
  return tf.tidy(() => x.sub(s.mean).mul(s.scale))
}

/**
 * Largest eigenvalue of XᵀX/n, by power iteration (a slight overestimate is safe; it only shortens steps). The
 * iterate is normalised on the backend and the eigenvalue read back once, at the end: no synchronous reads (a GPU
 * backend cannot do them) and no round trip per iteration.
 */
export async function largestEigenvalue(x: tf.Tensor2D, iterations = 30): Promise<number> {
  const n = x.shape[0]
  let v: tf.Tensor2D = tf.tidy(() => tf.ones([x.shape[1], 1]).div(Math.sqrt(x.shape[1])))
  let norm: tf.Scalar = tf.scalar(0)
  for (let i = 0; i < iterations; i++) {
    const [nextV, nextNorm] = tf.tidy(() => {
      const next = tf.matMul(x, tf.matMul(x, v), true, false).div<tf.Tensor2D>(n)
      const length = next.norm() as tf.Scalar
      // A zero iterate stays zero (instead of 0/0), so the eigenvalue comes out 0 as it should.
      return [next.div<tf.Tensor2D>(length.maximum(1e-30)), length] as const
    })
    tf.dispose([v, norm])
    v = nextV
    norm = nextNorm
  }
  const value = (await norm.data())[0] as number
  tf.dispose([v, norm])
  return value * 1.05
}

export interface FitOptions {
  weightDecay: number
  iterations: number
  /** Start from this model (the previous weight decay's, from the same fitter), else from zero. */
  from?: FittedModel
  signal?: AbortSignal
}

/** A fitted model, with the coefficients the fit iterated on (to warm-start the next fit). */
export interface FittedModel extends LinearModel {
  coefficients: tf.Tensor2D
}

export function disposeModel(model: FittedModel): void {
  tf.dispose([model.weights, model.bias, model.coefficients])
}

/**
 * Fits W and b to one training set for any number of weight decays. With more features than examples (D's
 * features usually) it iterates on A with W = XᵀA, using the n×n Gram matrix XXᵀ made once: every gradient
 * step keeps W in the span of the examples, so these are exactly the iterates of gradient descent on W, at
 * n·n instead of n·d per product.
 */
export class LinearFitter {
  private readonly targets: tf.Tensor2D
  private readonly gram: tf.Tensor2D | null
  /** λmax(XᵀX/n): the cross-entropy's curvature bound (times ½). */
  readonly curvature: number

  /** `form` picks the iteration; by default the cheaper one (the Gram form when there are more features than examples). */
  static async create(train: Examples, classes: number, form: 'auto' | 'weights' | 'gram' = 'auto', loss: LinearLoss = 'logistic'): Promise<LinearFitter> {
    return new LinearFitter(train, classes, form, loss, await largestEigenvalue(train.x))
  }

  private constructor(
    private readonly train: Examples,
    private readonly classes: number,
    form: 'auto' | 'weights' | 'gram',
    private readonly loss: LinearLoss,
    curvature: number
  ) {
    const [n, d] = train.x.shape
    // Logistic: one-hot targets; squared hinge: ±1 per class (one-vs-rest).
    this.targets = tf.tidy(() => {
      const oneHot = tf.oneHot(train.labels.toInt(), classes).toFloat() as tf.Tensor2D
      return loss === 'logistic' ? oneHot : oneHot.mul(2).sub<tf.Tensor2D>(1)
    })
    const useGram = form === 'gram' || (form === 'auto' && d > n)
    this.gram = useGram ? tf.tidy(() => tf.matMul(train.x, train.x, false, true)) : null
    this.curvature = curvature
  }

  dispose(): void {
    tf.dispose([this.targets, ...(this.gram ? [this.gram] : [])])
  }

  /** Returns new tensors; the caller disposes them (disposeModel). */
  async fit(options: FitOptions): Promise<FittedModel> {
    const { weightDecay, iterations } = options
    const { x } = this.train
    const n = x.shape[0]
    const gram = this.gram
    const rows = gram ? n : x.shape[1]
    const hinge = this.loss === 'squaredHinge'
    const weightStep = 1 / ((hinge ? 2 : 0.5) * this.curvature + weightDecay)
    const biasStep = hinge ? 0.5 : 2
    // Nesterov's constant momentum for a μ-strongly convex function with L-Lipschitz gradient (μ = λ).
    const ratio = Math.sqrt(weightDecay * weightStep)
    const momentum = (1 - ratio) / (1 + ratio)
    type State = { c: tf.Tensor2D; b: tf.Tensor1D }
    let current: State = options.from
      ? { c: options.from.coefficients.clone(), b: options.from.bias.clone() }
      : { c: tf.zeros([rows, this.classes]), b: tf.zeros([this.classes]) }
    let previous: State = { c: current.c.clone(), b: current.b.clone() }
    try {
      for (let i = 0; i < iterations; i++) {
        const next = tf.tidy((): State => {
          const c = current.c.add<tf.Tensor2D>(current.c.sub(previous.c).mul(momentum))
          const b = current.b.add<tf.Tensor1D>(current.b.sub(previous.b).mul(momentum))
          const logits = (gram ? gram.matMul(c) : x.matMul(c)).add(b)
          // ∂loss/∂logits: softmax − one-hot, or −2y·max(0, 1 − y·z) for the squared hinge.
          const residual = (
            hinge ? this.targets.mul(tf.relu(tf.sub(1, this.targets.mul(logits)))).mul(-2) : tf.softmax(logits).sub(this.targets)
          ).div<tf.Tensor2D>(n)
          // ∂/∂W = XᵀR + λW; with W = XᵀA that is Xᵀ(R + λA), a step on A.
          const gradient = (gram ? residual : tf.matMul(x, residual, true, false)).add(c.mul(weightDecay))
          return { c: c.sub<tf.Tensor2D>(gradient.mul(weightStep)), b: b.sub<tf.Tensor1D>(residual.sum(0).mul(biasStep)) }
        })
        tf.dispose([previous.c, previous.b])
        previous = current
        current = next
        if (i % 20 === 19) await yieldAndCheck(options.signal)
      }
      const weights = gram ? tf.tidy(() => tf.matMul<tf.Tensor2D>(x, current.c, true, false)) : current.c.clone()
      return { weights, bias: current.b, coefficients: current.c }
    } catch (error) {
      tf.dispose([current.c, current.b])
      throw error
    } finally {
      tf.dispose([previous.c, previous.b])
    }
  }
}

/** Predicted class of each example ([n] int32). */
export function predict(model: LinearModel, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => x.matMul(model.weights).add(model.bias).argMax<tf.Tensor1D>(1))
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
