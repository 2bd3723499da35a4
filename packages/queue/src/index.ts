import { DelayedError, Queue, QueueEvents, UnrecoverableError, Worker, type Job, type JobsOptions } from "bullmq";
import { Redis } from "ioredis";
import {
  decodeJob, describeError, encodeJob, isLookoutError, QUEUES, type Envelope, type QueueData, type QueueName,
} from "@lookout/domain";

/**
 * BullMQ adapter. Payloads are validated envelopes on both sides; job ids come from the work's
 * identity so the same work enqueued twice is one job; retries back off exponentially; a job
 * whose payload or input can never succeed is failed at once (UnrecoverableError), not retried.
 */

export interface QueueLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface QueueOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use their own. */
  prefix?: string;
}

export function redisConnection(url: string): Redis {
  // BullMQ workers block on Redis; ioredis must retry forever instead of failing commands.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  // Completed jobs are kept for an hour so a re-delivered push within that hour is a no-op.
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

export class JobQueue<K extends QueueName> {
  readonly queue: Queue;
  constructor(readonly name: K, readonly connection: Redis, prefix = "lookout") {
    this.queue = new Queue(QUEUES[name].name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  }

  /**
   * Enqueue; `created` is false when a job with this id already exists (deduplicated): waiting,
   * running, completed within the hour, or failed within the week. `replace` may say that an
   * existing job no longer stands for this work (it failed for good; its result is not where
   * the caller looks): it is removed and the work enqueued anew.
   */
  async add(data: QueueData<K>, opts: { jobId: string; correlationId: string; replace?: (existing: Job) => Promise<boolean> } & JobsOptions): Promise<{ job: Job; created: boolean }> {
    const env = encodeJob(this.name, data, opts.correlationId);
    const { correlationId: _c, replace, ...jobOpts } = opts;
    let before = await this.queue.getJob(opts.jobId);
    if (before && replace && (await replace(before))) {
      await before.remove();
      before = undefined;
    }
    const job = await this.queue.add(QUEUES[this.name].job, env, jobOpts);
    return { job, created: !before };
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface WorkerOptions {
  connection: Redis;
  prefix?: string;
  concurrency?: number;
  /** How long a job's lock lives without renewal; a killed worker's job is taken over after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  log?: QueueLogger;
  onCompleted?: (job: Job, ms: number) => void;
  onFailed?: (job: Job | undefined, err: Error, final: boolean) => void;
  /** Custom backoff (jobs added with `backoff: {type: "lookout"}`): ms to wait before the next attempt. */
  backoffStrategy?: (attemptsMade: number, err?: Error) => number;
}

export type Processor<K extends QueueName> = (env: Envelope<QueueData<K>>, job: Job, token?: string) => Promise<unknown>;

export function createWorker<K extends QueueName>(name: K, processor: Processor<K>, opts: WorkerOptions): Worker {
  const log = opts.log;
  const worker = new Worker(
    QUEUES[name].name,
    async (job, token) => {
      let env: Envelope<QueueData<K>>;
      try {
        env = decodeJob(name, job.data);
      } catch (e) {
        throw new UnrecoverableError(describeError(e));
      }
      const started = performance.now();
      try {
        const r = await processor(env, job, token);
        opts.onCompleted?.(job, performance.now() - started);
        return r;
      } catch (e) {
        if (isLookoutError(e) && !e.retryable) throw new UnrecoverableError(describeError(e));
        throw e;
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix ?? "lookout",
      concurrency: opts.concurrency ?? 2,
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
      autorun: true,
      ...(opts.backoffStrategy ? { settings: { backoffStrategy: (n: number, _t?: string, err?: Error) => opts.backoffStrategy!(n, err) } } : {}),
    },
  );
  worker.on("failed", (job, err) => {
    if (err instanceof DelayedError) return;
    const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    opts.onFailed?.(job, err, final);
    log?.[final ? "error" : "warn"](
      { queue: QUEUES[name].name, jobId: job?.id, attempts: job?.attemptsMade, correlationId: (job?.data as any)?.correlationId, err: err.message },
      final ? "job failed permanently" : "job failed, will retry",
    );
  });
  worker.on("error", (err) => log?.error({ queue: QUEUES[name].name, err: err.message }, "worker error"));
  return worker;
}

export type { Redis };
export { DelayedError, Queue, QueueEvents, UnrecoverableError, Worker, type Job };
