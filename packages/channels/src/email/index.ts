import { defineChannel } from "../channel.js";
import { emailConfigSchema, emailDestinationSchema } from "./config.js";
import { createEmailDeliverer } from "./deliverer.js";

export const emailChannel = defineChannel({
  name: "email",
  destinationSchema: emailDestinationSchema,
  configSchema: emailConfigSchema,
  create: (config, deps = {}) => createEmailDeliverer(config, deps),
});
