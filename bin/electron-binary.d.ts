/** Where the `electron` package's install put the Electron binary, or null and why (see electron-binary.js). */
export function findElectronBinary(from?: string): { executable: string | null; reason: string };
