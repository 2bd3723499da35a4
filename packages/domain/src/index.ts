export * from "./errors.js";
export * from "./model.js";
export * from "./envelope.js";
export * from "./contracts.js";
export * from "./catalog.js";
