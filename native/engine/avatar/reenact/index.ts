export { calibrateDriver, mirrorCalibration, CalibrationCollector, type DriverCalibration, type DriverFrame } from './calibration';
export { avatarRest, restFromFittedFrames, type FittedFace } from './avatar-rest';
export { retarget, prepareSpace, transferMatrix, neutralParams, cameraPose, headRotationMatrix, EYEBALL_RADIUS_M, type AvatarExpressionSpace, type AvatarHeadParams, type RetargetOptions } from './retarget';
export { LIVE_DRIVING, Reenactor, type ReenactorOptions, type ReenactPhase, type ReenactStep } from './reenactor';
export { VectorOneEuro, smoothingSettings, type OneEuroSettings } from './one-euro';
export { mirrorPartners, mirrorPoints, toModelAxes, FACE_POINTS, IRIS_POINTS } from './landmark-frame';
export { applyDriverPose, faceCentroid } from './driven-pose';
export { syntheticDriverLandmarks, type SyntheticDriverPose } from './synthetic-driver';
