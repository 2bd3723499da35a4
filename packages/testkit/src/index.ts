export * from "./db.js";
export * from "./net.js";
export * from "./registry.js";
export * from "./image.js";
