import { defineChannel } from "../channel.js";
import { webhookConfigSchema, webhookDestinationSchema } from "./config.js";
import { createWebhookDeliverer } from "./deliverer.js";

export const webhookChannel = defineChannel({
  name: "webhook",
  destinationSchema: webhookDestinationSchema,
  configSchema: webhookConfigSchema,
  create: (config, deps = {}) => createWebhookDeliverer(config, deps),
});
