// The page-side bridge the e2e and Electron tests call through page.evaluate (renderer/src/env.d.ts
// declares the same for the renderer).
import type { PasticheApi } from '../../electron/common/ipc-contract.js';

declare global {
  interface Window {
    pastiche: PasticheApi;
  }
}
