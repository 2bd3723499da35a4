import { defineChannel } from "../channel.js";
import { slackConfigSchema, slackDestinationSchema } from "./config.js";
import { createSlackDeliverer } from "./deliverer.js";

export const slackChannel = defineChannel({
  name: "slack",
  destinationSchema: slackDestinationSchema,
  configSchema: slackConfigSchema,
  create: (config, deps = {}) => createSlackDeliverer(config, deps),
});
