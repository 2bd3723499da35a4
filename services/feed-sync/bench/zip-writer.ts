import { createWriteStream } from "node:fs";
import { crc32, deflateRawSync } from "node:zlib";

/**
 * A minimal streaming zip writer for benchmark inputs: deflated entries, written as they come,
 * constant memory (yazl keeps every entry's compressed buffer until the end), ZIP64 end records
 * when there are more than 65,535 entries (as osv.dev's larger all.zip files need).
 */
export class ZipWriter {
  private readonly out;
  private offset = 0;
  private readonly central: Buffer[] = [];
  private count = 0;

  constructor(path: string) {
    this.out = createWriteStream(path);
  }

  private async write(b: Buffer): Promise<void> {
    this.offset += b.length;
    if (!this.out.write(b)) await new Promise<void>((r) => this.out.once("drain", () => r()));
  }

  async add(name: string, content: Buffer): Promise<void> {
    const data = deflateRawSync(content);
    const crc = crc32(content);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(content.length, 24);
    cd.writeUInt16LE(n.length, 28);
    cd.writeUInt32LE(this.offset, 42);
    this.central.push(cd, n);
    this.count++;
    await this.write(Buffer.concat([local, n, data]));
  }

  async close(): Promise<void> {
    const cdOffset = this.offset;
    for (const b of this.central) await this.write(b);
    const cdSize = this.offset - cdOffset;
    const zip64 = this.count > 0xfffe;
    if (zip64) {
      const recOffset = this.offset;
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(this.count), 24);
      rec.writeBigUInt64LE(BigInt(this.count), 32);
      rec.writeBigUInt64LE(BigInt(cdSize), 40);
      rec.writeBigUInt64LE(BigInt(cdOffset), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(recOffset), 8);
      loc.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([rec, loc]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(zip64 ? 0xffff : this.count, 8);
    end.writeUInt16LE(zip64 ? 0xffff : this.count, 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdOffset, 16);
    await this.write(end);
    await new Promise<void>((r, j) => this.out.end((e?: Error | null) => (e ? j(e) : r())));
  }
}
