#!/usr/bin/env -S npx tsx
/**
 * `lookout` — the command line. Each sub-command is one file in commands/ and one line here.
 */
const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<number> }> = {
  up: { summary: "run every service in one process (embedded database; starts nats/redis if needed)", run: async (a) => (await import("./commands/up.js")).up(a) },
  scan: { summary: "scan <image-ref|oci-layout|archive.tar>: match an image against the local advisory database", run: async (a) => (await import("./commands/scan.js")).scanCommand(a) },
  db: { summary: "db import <dir|all.zip>: load OSV advisories into the local database", run: async (a) => (await import("./commands/db-import.js")).dbCommand(a) },
  feeds: { summary: "feeds sync [--source NAME] [--from DIR|URL] | feeds runs: sync advisory feeds into the local database", run: async (a) => (await import("./commands/feeds.js")).feedsCommand(a) },
  sbom: { summary: "sbom <image-ref|oci-layout|archive.tar>: print the image's SBOM (cyclonedx|spdx|json)", run: async (a) => (await import("./commands/sbom.js")).sbomCommand(a) },
  subscriptions: { summary: "subscriptions list|add|rm|pause: manage notification subscriptions via the api", run: async (a) => (await import("./commands/subscriptions.js")).subscriptionsCommand(a) },
  vercmp: { summary: "vercmp <ECOSYSTEM>: compare version pairs read from stdin (A<TAB>B per line)", run: async (a) => (await import("./commands/vercmp.js")).vercmpCommand(a) },
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
    process.stdout.write(`usage: lookout <command> [args]\n\n${Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(10)} ${v.summary}`).join("\n")}\n`);
    return cmd ? 0 : 2;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    process.stderr.write(`lookout: unknown command ${JSON.stringify(cmd)}; try lookout help\n`);
    return 2;
  }
  return c.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    process.stderr.write(`lookout: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
