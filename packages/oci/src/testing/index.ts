export * from "./tar.js";
export * from "./layout.js";
