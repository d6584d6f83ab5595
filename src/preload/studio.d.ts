import type { StudioBridge } from '../shared/api/contract'

declare global {
  interface Window {
    /** Present in the Electron app (exposed by the preload); absent in web mode. */
    studio?: StudioBridge
  }
}

export {}
