// Public surface of @artifacts-emulator/emulator.
export { startEmulator, type EmulatorOptions, type RunningEmulator } from "./start.js";
export { StateDir, DEFAULT_PERSIST, PERSIST_ENV, StateInUseError, findStateDir, pidAlive, choosePort } from "./state.js";
export { rewriteMiniflareWorker, rewriteWranglerConfig, withErrorSerialization, serviceBindingFor } from "./glue.js";
export { serviceWorkerOptions, serviceScriptPath, SERVICE_NAME, ENTRYPOINT, COMPATIBILITY_DATE } from "./service-worker.js";
