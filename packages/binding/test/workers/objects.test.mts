/**
 * The engine's object formats inside workerd: parse/serialize must be byte-exact for every byte
 * value. workerd's TextDecoder("latin1") is windows-1252 (0x80-0x9F map elsewhere), which once
 * broke round trips of UTF-8 names such as "Ü" (c3 9c) only here, never in Node.
 */
import { describe, expect, it } from "vitest";
import { hashObject, parseCommit, parseTree, serializeCommit, serializeTree } from "@artifacts-emulator/git";

const enc = new TextEncoder();

describe("objects in workerd", () => {
  it("round-trips a commit whose header and message contain every byte 0x80-0xff", () => {
    const high = Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i);
    const head = enc.encode(`tree ${"a".repeat(40)}\nauthor Ü — <u@example.com> 1700000000 +0000\ncommitter Ü — <u@example.com> 1700000000 +0000\n\n`);
    const raw = new Uint8Array([...head, ...high, 10]);
    const again = serializeCommit(parseCommit(raw));
    expect(Array.from(again)).toEqual(Array.from(raw));
    expect(hashObject("commit", again)).toBe(hashObject("commit", raw));
  });

  it("round-trips tree entry names with bytes 0x80-0x9f", () => {
    const name = Uint8Array.from([0x55, 0xc3, 0x9c, 0x80, 0x9f]);
    const raw = new Uint8Array([...enc.encode("100644 "), ...name, 0, ...new Uint8Array(20).fill(7)]);
    const entries = parseTree(raw);
    expect(Array.from(serializeTree(entries))).toEqual(Array.from(raw));
  });
});
