/**
 * Files of a tracking run, project-relative, inside the capture folder; the folder is swapped in whole when the job
 * commits. A module of its own so readers (training, export, the host) need not load the tracker's ONNX modules.
 */
export const trackingDir = (captureId: string) => `captures/${captureId}/tracking`;
export const trackingPartialDir = (captureId: string) => `captures/${captureId}/tracking.partial`;
