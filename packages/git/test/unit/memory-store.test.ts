import { MemoryRepoStore } from "../../src/index.js";
import { runStorageSuite } from "../../testing/storage-suite.js";

runStorageSuite("MemoryRepoStore", () => new MemoryRepoStore());
