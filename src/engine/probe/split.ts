import { StudioError } from '../../shared/api/errors'
import { Rng, shuffleInPlace } from '../../shared/latent/random'

/**
 * The probe's split of a labelled dataset: `perClass` training and `validationPerClass` validation images of
 * every class (the paper's SVHN protocol: 100 labels per class, a separate validation set to choose C), and a
 * random sample of everything left as the test set. Seeded, so the same seed always draws the same images.
 * Index lists come back sorted, so reading them walks the dataset file forwards.
 */

export interface ProbeSplit {
  train: Int32Array
  validation: Int32Array
  test: Int32Array
  /** Labels present in the data, in order; a dataset label `classList[k]` becomes class k of the classifier. */
  classList: number[]
}

/** `names[label]`, when given (a folder-per-class dataset's folder names), names a class in messages. */
export function splitByClass(
  labels: Uint8Array,
  perClass: number,
  validationPerClass: number,
  maxTest: number,
  seed: number,
  names?: readonly string[]
): ProbeSplit {
  const byLabel = new Map<number, number[]>()
  labels.forEach((label, index) => {
    const list = byLabel.get(label)
    if (list) list.push(index)
    else byLabel.set(label, [index])
  })
  const classList = [...byLabel.keys()].sort((a, b) => a - b)
  if (classList.length < 2) {
    throw new StudioError(
      'bad_request',
      `The dataset's labels name ${classList.length} class${classList.length === 1 ? '' : 'es'}; a probe needs at least two.`
    )
  }
  const needed = perClass + validationPerClass + 1
  const short = classList.filter((label) => (byLabel.get(label) as number[]).length < needed)
  if (short.length > 0) {
    const fewest = Math.min(...short.map((label) => (byLabel.get(label) as number[]).length))
    throw new StudioError(
      'bad_request',
      `Class ${describeClass(short[0] as number, names)} has only ${fewest} images, but the probe takes ${perClass} per class for training and ${validationPerClass} for ` +
        `validation, and needs some left to test. Lower the examples per class to at most ${Math.max(1, Math.floor((fewest - 1) / 2))}, or import more images.`
    )
  }
  const rng = new Rng(seed)
  const train: number[] = []
  const validation: number[] = []
  const rest: number[] = []
  for (const label of classList) {
    const indices = shuffleInPlace(byLabel.get(label) as number[], rng)
    train.push(...indices.slice(0, perClass))
    validation.push(...indices.slice(perClass, perClass + validationPerClass))
    rest.push(...indices.slice(perClass + validationPerClass))
  }
  const test = shuffleInPlace(rest, rng).slice(0, maxTest)
  return { train: sorted(train), validation: sorted(validation), test: sorted(test), classList }
}

function describeClass(label: number, names: readonly string[] | undefined): string {
  const name = names?.[label]
  return name === undefined ? String(label) : `${label} ("${name}")`
}

function sorted(values: number[]): Int32Array {
  return Int32Array.from(values).sort()
}
