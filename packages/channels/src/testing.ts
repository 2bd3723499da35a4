/** Test helpers for channel users (the notifier's tests): fake endpoints and the conformance suite. */
export { startHttpReceiver, type FakeHttpReceiver, type ReceivedRequest, type ScriptedResponse } from "./testing/http-receiver.js";
export { startSmtpReceiver, type FakeSmtpReceiver, type ReceivedMail } from "./testing/smtp-receiver.js";
export { runDelivererConformance, type ConformanceFixture, type ConformanceOptions, type EndpointMode } from "./conformance.js";
export { REAL_FINDINGS, sampleImage, sampleNotification, HOSTILE } from "./test-notifications.js";
