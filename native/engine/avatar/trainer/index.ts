/** Training of UV-bound Gaussian head avatars on the GPU. See README.md. */
export { AvatarTrainer, AVATAR_LEARNING_RATES, DEFAULT_MONITOR, type AvatarTrainerOptions, type DensifySchedule, type FrameMetrics, type LossBreakdown, type MonitorOptions, type PruneSchedule, type RollbackEvent, type StepResult, type TrainingStats } from './avatar-trainer';
export { DEFAULT_LOSS_WEIGHTS, lossWeightMap, mouthLandmarksPx, mouthRegion, MOUTH_LANDMARK_IDS, type LossWeightOptions } from './loss-weights';
export { activeShDegree, DEFAULT_SCHEDULE, offsetRateFactor, type TrainingSchedule } from './schedule';
export { compositeTarget, posedVertices, prepareFrame, rigidRotation, type AvatarFrame, type FrameHeadParams, type PreparedFrame } from './frames';
export { BoundRegularisers, DEFAULT_REGULARISERS, regulariserReference, type RegulariserOptions } from './regularisers';
export { CHECKPOINT_MAGIC, CHECKPOINT_VERSION, readCheckpoint, writeCheckpoint, type CheckpointData } from './checkpoint';
export { DEFAULT_CORRECTIVE_REGULARISERS, DEFAULT_HEAD_TUNING_PRIOR, HEAD_TUNING_RATES, HeadTuning, readHeadTuningExport, type CorrectiveRegularisers, type HeadTuningExport, type HeadTuningOptions, type HeadTuningPrior, type HeadTuningRates, type HeadTuningTiming, type TemporalSmoothness } from './head-tuning';
export { fitEvaluationFrames, type EvaluationFit, type EvaluationFitOptions } from './head-tuning-eval';
export { cropImage, HEAD_CROP_MARGIN, headCropBox, headCropMetrics, type CropBox } from './head-crop';
