/// <reference types="vite/client" />
import type { PolarisApi } from '../../shared/api';

declare global {
  interface Window {
    /** Exposed by src/preload/index.ts; absent when the page is opened outside Electron. */
    readonly polaris?: PolarisApi;
  }
}
