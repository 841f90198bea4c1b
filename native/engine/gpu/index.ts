/** Platform-neutral device layer. Node hosts import `createNodeDevice` from './node-device' directly. */
export { isCpuDevice, defaultScanSortMode, type ScanSortMode } from './adapter-kind';
export { BufferUsage, createBufferFrom, createStorageBuffer, createUniformBuffer, enableSentinelFill, SENTINEL_U32, writeArray } from './buffers';
export { assertDeviceAlive, onDeviceLost, raceDeviceLoss, watchDevice } from './device-loss';
export { gridFor, workgroups2D } from './dispatch';
export { adapterReport, wrapDevice, type AdapterReport, type EngineDevice } from './engine-device';
export { CapacityError, DeviceLostError, NoAdapterError } from './errors';
export { createKernel, dispatchGroups, dispatchKernel, type Kernel, type KernelSpec } from './kernel';
export { checkEngineLimits, ENGINE_MIN_LIMITS, engineDeviceLimits } from './limits';
export { readBufferBytes, readF32, readU32 } from './readback';
