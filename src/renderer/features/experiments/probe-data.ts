import type { DatasetListing } from '../../../shared/api/datasets'
import { sourceLocation } from '../../../shared/formats/dataset'

/**
 * Whether a labelled dataset holds the GAN's own training images: the very dataset the run trained on, or
 * one imported from the same folder or IDX file. The paper probes on data the GAN never saw (its SVHN and
 * CIFAR-10 numbers come from held-out splits); D scores higher on images it was trained on, so a probe there
 * says less about its features.
 */
export type TrainingOverlap = 'same-dataset' | 'same-source' | null

export function trainingOverlap(labelled: DatasetListing, trainedOn: string, datasets: readonly DatasetListing[]): TrainingOverlap {
  if (labelled.id === trainedOn) return 'same-dataset'
  const training = datasets.find((d) => d.id === trainedOn)
  if (!training) return null
  return sourceKey(training) === sourceKey(labelled) ? 'same-source' : null
}

function sourceKey(d: DatasetListing): string {
  return `${d.source.kind}:${sourceLocation(d.source)}`
}

/** The warning the probe panel shows for an overlap (null: none). */
export function overlapWarning(overlap: TrainingOverlap, name: string): string | null {
  if (!overlap) return null
  const what =
    overlap === 'same-dataset' ? `“${name}” is the dataset this GAN was trained on` : `“${name}” was imported from the same images this GAN was trained on`
  return `${what}: D has seen these images, so the probe measures it on its own training data. The paper probes on held-out data — import a labelled set the GAN never saw (e.g. Fashion-MNIST's t10k files for a model trained on its train files).`
}
