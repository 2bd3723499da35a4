import { vercmp } from "@lookout/versions";

export async function vercmpCommand(args: string[]): Promise<number> {
  if (args.length !== 1) {
    process.stderr.write("usage: lookout vercmp <ECOSYSTEM>  (reads A<TAB>B lines on stdin)\n");
    return 2;
  }
  return vercmp(args[0]!, process.stdin, process.stdout, process.stderr);
}
