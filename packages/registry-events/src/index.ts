export * from "./types.js";
export * from "./auth.js";
export * from "./match.js";
export { FLAVOURS } from "./flavours/index.js";
