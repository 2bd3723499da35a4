export * from "./tar.js";
export * from "./layout.js";
export * from "./registry.js";
export * from "./push.js";
export * from "./errors.js";
