// Every public export type-checks from a user's project.
import { startEmulator, type RunningEmulator } from "artifacts-emulator";
import { artifactsTest, type ArtifactsTestOptions } from "artifacts-emulator/vitest";
import { getArtifactsPlatformProxy, type ArtifactsPlatformProxy } from "artifacts-emulator/platform-proxy";
import { withArtifactsEmulator } from "artifacts-emulator/vite";
import { artifactsHarnessWorker } from "artifacts-emulator/harness";
import { pushFiles, type PushFilesResult } from "artifacts-emulator/testing";
import { spawnDev, git, type DevProcess } from "artifacts-emulator/testing/node";

export const checks = { startEmulator, artifactsTest, getArtifactsPlatformProxy, withArtifactsEmulator, artifactsHarnessWorker, pushFiles, spawnDev, git };
export type Checks = [RunningEmulator["url"], ArtifactsTestOptions, ArtifactsPlatformProxy, PushFilesResult, DevProcess];
const options: ArtifactsTestOptions = { configPath: "./wrangler.jsonc" };
export const plugin = artifactsTest(options);
