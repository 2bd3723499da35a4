import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg,
} from "@nats-io/jetstream";
import {
  CONSUMERS, decodeEvent, describeError, isLookoutError, STREAM, SUBJECTS, subjectNameOf,
  type ConsumerName, type Envelope, type SubjectData, type SubjectName,
} from "@lookout/domain";

/**
 * JetStream adapter. One stream holds every event; durable pull consumers with explicit ack,
 * bounded redelivery with backoff; publishes carry Nats-Msg-Id = envelope id so a retried
 * publish inside the duplicate window is stored once.
 */

export interface BusLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BusOptions {
  servers: string;
  /** Subject and stream namespace; tests use their own so they never see each other's events. */
  namespace?: string;
  name?: string;
  log?: BusLogger;
  /** How many times a message is delivered before it is given up (then logged as dead). */
  maxDeliver?: number;
  ackWaitMs?: number;
}

export interface HandlerContext {
  subject: SubjectName;
  deliveryCount: number;
  /** Tell JetStream the handler is still working (resets ack wait). */
  working(): void;
}

export type Handler = (env: Envelope<any>, ctx: HandlerContext) => Promise<void>;

export interface Consumption {
  /** Stop pulling, let in-flight handlers finish, then return. */
  stop(): Promise<void>;
}

const NS = 1_000_000;
const BACKOFF_MS = [1_000, 5_000, 15_000, 60_000, 300_000];
const noop: BusLogger = { info() {}, warn() {}, error() {} };

export class Bus {
  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: Required<Pick<BusOptions, "namespace" | "maxDeliver" | "ackWaitMs">> & { log: BusLogger },
  ) {}

  static async connect(opts: BusOptions): Promise<Bus> {
    const nc = await connect({ servers: opts.servers, name: opts.name ?? "lookout", maxReconnectAttempts: -1 });
    const jsm = await jetstreamManager(nc);
    const bus = new Bus(nc, jetstream(nc), jsm, {
      namespace: opts.namespace ?? "lookout",
      maxDeliver: opts.maxDeliver ?? 8,
      ackWaitMs: opts.ackWaitMs ?? 30_000,
      log: opts.log ?? noop,
    });
    await bus.declare();
    return bus;
  }

  get streamName(): string {
    return this.opts.namespace.toUpperCase().replace(/[^A-Z0-9_-]/g, "_");
  }

  subjectOf(name: SubjectName): string {
    return SUBJECTS[name].subject.replace(/^lookout\./, `${this.opts.namespace}.`);
  }

  /** Stream and durable consumers, created or updated to the catalog's settings (idempotent). */
  async declare(): Promise<void> {
    const streamCfg = {
      name: this.streamName,
      subjects: STREAM.subjects.map((s) => s.replace(/^lookout\./, `${this.opts.namespace}.`)),
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: 14 * 24 * 3600 * 1000 * NS,
      duplicate_window: 2 * 60 * 1000 * NS,
    };
    try {
      await this.jsm.streams.info(this.streamName);
      await this.jsm.streams.update(this.streamName, streamCfg);
    } catch (e) {
      if (!/stream not found/i.test(String((e as Error).message))) throw e;
      await this.jsm.streams.add(streamCfg);
    }
    for (const name of Object.keys(CONSUMERS) as ConsumerName[]) await this.declareConsumer(name);
  }

  private async declareConsumer(name: ConsumerName): Promise<void> {
    const c = CONSUMERS[name];
    const cfg = {
      durable_name: c.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: c.filterSubject.replace(/^lookout\./, `${this.opts.namespace}.`),
      ack_wait: this.opts.ackWaitMs * NS,
      max_deliver: this.opts.maxDeliver,
      // JetStream applies backoff on nak-less redelivery (ack wait expiry); naks carry their own delay.
      backoff: BACKOFF_MS.slice(0, Math.max(1, this.opts.maxDeliver - 1)).map((ms) => Math.max(ms, this.opts.ackWaitMs) * NS),
      max_ack_pending: 1000,
    };
    try {
      await this.jsm.consumers.info(this.streamName, c.durable);
      await this.jsm.consumers.update(this.streamName, c.durable, cfg);
    } catch (e) {
      if (!/consumer not found/i.test(String((e as Error).message))) throw e;
      await this.jsm.consumers.add(this.streamName, cfg);
    }
  }

  /** Publish a validated envelope; `duplicate` is true when JetStream had it already. */
  async publish<K extends SubjectName>(name: K, env: Envelope<SubjectData<K>>): Promise<{ seq: number; duplicate: boolean }> {
    decodeEvent(name, env); // validate on the way out as well as on the way in
    const ack = await this.js.publish(this.subjectOf(name), JSON.stringify(env), { msgID: env.id });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Pull from a durable consumer. Handler success → ack. A payload that breaks its contract or a
   * non-retryable LookoutError → term (poison: never redelivered). Anything else → nak with
   * backoff, until max_deliver, after which JetStream stops and we log it as dead.
   */
  async consume(name: ConsumerName, handler: Handler, opts: { concurrency?: number } = {}): Promise<Consumption> {
    const consumer = await this.js.consumers.get(this.streamName, CONSUMERS[name].durable);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.max(1, opts.concurrency ?? 4) * 2 });
    const inflight = new Set<Promise<void>>();
    const limit = Math.max(1, opts.concurrency ?? 4);
    const log = this.opts.log;
    const loop = (async () => {
      for await (const m of messages) {
        const p = this.handle(m, handler, log).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= limit) await Promise.race(inflight);
      }
    })();
    return {
      stop: async () => {
        await messages.close();
        await loop.catch(() => {});
        await Promise.allSettled([...inflight]);
      },
    };
  }

  private async handle(m: JsMsg, handler: Handler, log: BusLogger): Promise<void> {
    const subjectKey = subjectNameOf(m.subject.replace(new RegExp(`^${this.opts.namespace}\\.`), "lookout."));
    const deliveryCount = m.info.deliveryCount;
    if (!subjectKey) {
      m.term("unknown subject");
      log.warn({ subject: m.subject }, "event dropped: unknown subject");
      return;
    }
    let env: Envelope<any>;
    try {
      env = decodeEvent(subjectKey, m.json());
    } catch (e) {
      m.term("contract violation");
      log.error({ subject: m.subject, err: describeError(e) }, "event rejected: contract violation");
      return;
    }
    try {
      await handler(env, { subject: subjectKey, deliveryCount, working: () => m.working() });
      m.ack();
    } catch (e) {
      const fields = { subject: m.subject, eventId: env.id, correlationId: env.correlationId, deliveryCount, err: describeError(e) };
      if (isLookoutError(e) && !e.retryable) {
        m.term(e.code);
        log.error(fields, "event failed permanently");
      } else if (deliveryCount >= this.opts.maxDeliver) {
        m.term("max deliveries");
        log.error(fields, "event dead after max deliveries");
      } else {
        m.nak(BACKOFF_MS[Math.min(deliveryCount - 1, BACKOFF_MS.length - 1)]);
        log.warn(fields, "event failed, will redeliver");
      }
    }
  }

  /** Messages currently held by the stream (operators' and tests' view of what was published). */
  async streamMessages(): Promise<number> {
    return (await this.jsm.streams.info(this.streamName)).state.messages;
  }

  /** Remove the stream and its consumers (tests, and `lookout` uninstall). */
  async deleteStream(): Promise<void> {
    await this.jsm.streams.delete(this.streamName);
  }

  async ping(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

export { Bus as default };
