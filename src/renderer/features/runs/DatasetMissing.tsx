import type { RunRecord } from '../../../shared/formats/run'

/** Says that a run's dataset is not in the library, and what training it further will do about that. */
export function DatasetMissing({ record, resumeLabel }: { record: RunRecord; resumeLabel: string }) {
  if (record.dataset === null) {
    return (
      <p className="muted" data-testid="run-dataset-missing">
        This model was imported without a dataset: it can be explored and exported as it is. To train it further, choose a dataset of{' '}
        {record.model.imageSize} px {record.model.channels === 1 ? 'grayscale' : 'colour'} images (dcgan-studio resume {record.id} --dataset ID).
      </p>
    )
  }
  return (
    <p className="muted" data-testid="run-dataset-missing">
      Its dataset “{record.dataset.name}” is not in this library
      {record.dataset.recipe
        ? `: "${resumeLabel}" makes it again first (the run records how it was made).`
        : ': its checkpoints can still be explored, but it cannot train further without it.'}
    </p>
  )
}
