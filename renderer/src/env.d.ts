/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { PasticheApi } from '../../electron/common/ipc-contract';

declare global {
  interface Window {
    pastiche: PasticheApi;
  }
}
