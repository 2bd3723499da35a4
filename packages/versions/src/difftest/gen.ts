/** Seeded generators of hard-case version strings for differential tests against native tools. */

/** mulberry32: small, fast, deterministic PRNG so failures reproduce from the seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Concatenation of 1..max picks. */
  run(xs: readonly string[], max: number): string {
    let s = "";
    for (let i = 1 + this.int(max); i > 0; i--) s += this.pick(xs);
    return s;
  }
}

export const NUMS = ["0", "1", "2", "9", "10", "01", "00", "007", "99", "123", "4294967296", "18446744073709551617"];

/** Pairs: half independent, half a version against a small mutation of itself (near-equal cases). */
export function pairs(rng: Rng, n: number, gen: () => string, mutate: (v: string) => string): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const a = gen();
    out.push([a, rng.chance(0.5) ? gen() : mutate(a)]);
  }
  return out;
}

/** Generic mutation: change, drop, or insert one character from `alphabet`. */
export function mutateWith(rng: Rng, alphabet: string): (v: string) => string {
  return (v: string) => {
    const i = rng.int(v.length + 1);
    const c = alphabet[rng.int(alphabet.length)] as string;
    switch (rng.int(4)) {
      case 0:
        return v.slice(0, i) + c + v.slice(i + 1);
      case 1:
        return v.length > 1 ? v.slice(0, i) + v.slice(i + 1) : v;
      case 2:
        return v.slice(0, i) + c + v.slice(i);
      default:
        return v;
    }
  };
}
