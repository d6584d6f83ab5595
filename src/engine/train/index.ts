/** Training a DCGAN run: the trainer (state, steps, checkpoints, samples), the loop that drives it, its controls. */
export { ADAM_EPSILON, DivergedError, Trainer } from './trainer'
export type { CheckpointWritten, SampleGrid, TrainerOptions } from './trainer'
export { ETA_WINDOW, runTraining } from './run-loop'
export type { FinishedEvent, RunTrainingOptions } from './run-loop'
export { TrainingControl } from './training-control'
export { D_LOSS_NEAR_ZERO, DIVERSITY_COLLAPSE_FRACTION, dLossWindow, EXPLODED_LOSS } from './health'
