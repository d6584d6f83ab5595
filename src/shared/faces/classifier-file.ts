import { z } from 'zod'
import { BINARY_ATTRIBUTES, POSES } from './attributes'

/**
 * `classifier.json`, saved beside a face-attribute classifier's `model.json`: what the model outputs, the
 * image size and pixel range it expects, its accuracy on held-out faces, and how it was trained — so a
 * verification report can quote the classifier it used without retraining it.
 */
export const CLASSIFIER_FILE = 'classifier.json'
export const CLASSIFIER_VERSION = 1

const Fraction = z.number().min(0).max(1)

export const ClassifierAccuracy = z.object({
  smiling: Fraction,
  masculine: Fraction,
  glasses: Fraction,
  pose: Fraction
})
export type ClassifierAccuracy = z.infer<typeof ClassifierAccuracy>

export const ClassifierInfo = z.object({
  format: z.literal('dcgan-studio/face-classifier'),
  version: z.literal(CLASSIFIER_VERSION),
  size: z.number().int().min(8).max(256),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Pixels are scaled to [-1, 1], like the generator's output, so G's samples can be classified directly. */
  inputRange: z.tuple([z.literal(-1), z.literal(1)]),
  /** The `attributes` output: one sigmoid probability per binary attribute, in this order. */
  attributes: z.tuple([z.literal(BINARY_ATTRIBUTES[0]), z.literal(BINARY_ATTRIBUTES[1]), z.literal(BINARY_ATTRIBUTES[2])]),
  /** The `pose` output: a softmax over these poses, in this order. */
  poses: z.tuple([z.literal(POSES[0]), z.literal(POSES[1]), z.literal(POSES[2])]),
  /** Accuracy on faces the classifier never saw in training (threshold 0.5; pose: the most probable). */
  accuracy: ClassifierAccuracy,
  training: z.object({
    trainCount: z.number().int().positive(),
    testCount: z.number().int().positive(),
    /** Face set seed: training faces are `faceSpecAt(seed, i)` for i < trainCount, test faces follow them. */
    seed: z.number().int().nonnegative(),
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    learningRate: z.number().positive(),
    steps: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
    backend: z.string(),
    finalLoss: z.number()
  })
})
export type ClassifierInfo = z.infer<typeof ClassifierInfo>
