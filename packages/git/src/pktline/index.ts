export * from "./encode.js";
export * from "./decode.js";
export * from "./sideband.js";
