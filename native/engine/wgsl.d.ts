// Lets TypeScript accept `import code from './kernel.wgsl?raw'` (Vite/Vitest load the file as a string).
// The forward kernels are TS template strings instead (they also load under plain Node/tsx and Playwright's
// TS loader, which do not understand `?raw`); this declaration is for any kernel kept as a .wgsl file.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
