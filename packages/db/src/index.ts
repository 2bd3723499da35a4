export * as schema from "./schema.js";
export * from "./client.js";
export * from "./migrate.js";
export * from "./repos/images.js";
export * from "./repos/scans.js";
export * from "./repos/subscriptions.js";
export * from "./secret-box.js";
export * from "./repos/findings.js";
export * from "./repos/inventory.js";
