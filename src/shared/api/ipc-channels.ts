/** The only two Electron IPC channels: every Studio API call goes through one, every event through the other. */
export const IPC_INVOKE_CHANNEL = 'studio:invoke'
export const IPC_EVENT_CHANNEL = 'studio:event'
