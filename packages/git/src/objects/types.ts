export type ObjectType = "commit" | "tree" | "blob" | "tag";

/** Pack type numbers (gitformat-pack: "Object types"). 6 and 7 are deltas. */
export const PACK_TYPE = { commit: 1, tree: 2, blob: 3, tag: 4 } as const;
export const OFS_DELTA = 6;
export const REF_DELTA = 7;

export function typeFromPackNumber(n: number): ObjectType | undefined {
  switch (n) {
    case 1:
      return "commit";
    case 2:
      return "tree";
    case 3:
      return "blob";
    case 4:
      return "tag";
  }
  return undefined;
}

export interface GitObject {
  type: ObjectType;
  data: Uint8Array;
}
