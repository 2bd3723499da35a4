import type { Flavour } from "../types.js";
import { distribution } from "./distribution.js";

/** Every webhook flavour, one line each. */
export const FLAVOURS: Record<string, Flavour> = Object.fromEntries([distribution].map((f) => [f.id, f]));
