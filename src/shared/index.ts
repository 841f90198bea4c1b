export * from './api/contract';
export * from './api/errors';
export * from './api/wire';
export * from './api/client';
export * from './model/project';
export * from './model/job';
export * from './model/settings';
export * from './model/capture';
