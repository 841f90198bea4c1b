/** Training of UV-bound Gaussian head avatars on the GPU. See README.md. */
export { AvatarTrainer, AVATAR_LEARNING_RATES, type AvatarTrainerOptions, type DensifySchedule, type FrameMetrics, type LossBreakdown, type PruneSchedule, type StepResult } from './avatar-trainer';
export { compositeTarget, posedVertices, prepareFrame, rigidRotation, type AvatarFrame, type FrameHeadParams, type PreparedFrame } from './frames';
export { BoundRegularisers, DEFAULT_REGULARISERS, regulariserReference, type RegulariserOptions } from './regularisers';
export { CHECKPOINT_MAGIC, CHECKPOINT_VERSION, readCheckpoint, writeCheckpoint, type CheckpointData } from './checkpoint';
