import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

/**
 * A real SMTP server (smtp-server package) on 127.0.0.1 with a free port, for tests. Behaviour
 * by recipient local part: `transient…@` → 451 at RCPT, `permanent…@` → 550 at RCPT,
 * `hang…@` → RCPT never answered; anything else is accepted and recorded.
 */
export interface FakeSmtpReceiver {
  readonly host: string;
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<FakeSmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 1000,
    onRcptTo(address, _session, cb) {
      const local = address.address.split("@", 1)[0]!;
      if (local.startsWith("hang")) return; // never answer
      if (local.startsWith("transient")) return cb(Object.assign(new Error("4.2.1 mailbox busy, try later"), { responseCode: 451 }));
      if (local.startsWith("permanent")) return cb(Object.assign(new Error("5.1.1 no such user"), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
