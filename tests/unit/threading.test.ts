/** The pure thread builder: nesting does not depend on the order rows arrive in. */
import { describe, expect, it } from "vitest";
import { buildThreads, type Threaded, walkThread } from "#app/threading/build-threads";

type Row = { id: number; parentId: number | null; createdAt: string; label: string };

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

/** Two threads: 1 ← (2 ← 4, 3), and 5 ← 6; ids and times deliberately out of step. */
const ROWS: Row[] = [
  { id: 1, parentId: null, createdAt: at(0), label: "root A" },
  { id: 2, parentId: 1, createdAt: at(5), label: "A.1" },
  { id: 3, parentId: 1, createdAt: at(3), label: "A.0" },
  { id: 4, parentId: 2, createdAt: at(6), label: "A.1.0" },
  { id: 5, parentId: null, createdAt: at(1), label: "root B" },
  { id: 6, parentId: 5, createdAt: at(2), label: "B.0" },
];

function shape(nodes: Threaded<Row>[]): unknown {
  return nodes.map((node) => [node.label, shape(node.replies)]);
}

/** Every permutation of a small list (6! = 720). */
function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i] as T, ...tail];
  }
}

const EXPECTED = [
  [
    "root A",
    [
      ["A.0", []],
      ["A.1", [["A.1.0", []]]],
    ],
  ],
  ["root B", [["B.0", []]]],
];

describe("buildThreads", () => {
  it("nests replies under their parents, oldest first at every level", () => {
    expect(shape(buildThreads(ROWS))).toEqual(EXPECTED);
  });

  it("gives the same threads whatever order the rows come in", () => {
    let orders = 0;
    for (const order of permutations(ROWS)) {
      expect(shape(buildThreads(order))).toEqual(EXPECTED);
      orders++;
    }
    expect(orders).toBe(720);
  });

  it("breaks ties in time on the id", () => {
    const rows: Row[] = [
      { id: 9, parentId: null, createdAt: at(0), label: "later id" },
      { id: 8, parentId: null, createdAt: at(0), label: "earlier id" },
    ];
    expect(shape(buildThreads(rows))).toEqual([
      ["earlier id", []],
      ["later id", []],
    ]);
  });

  it("drops a reply whose parent is missing, with its own replies", () => {
    const withoutA1 = ROWS.filter((row) => row.id !== 2);
    expect(shape(buildThreads(withoutA1))).toEqual([
      ["root A", [["A.0", []]]],
      ["root B", [["B.0", []]]],
    ]);
  });

  it("does not change the rows it was given", () => {
    const rows = ROWS.map((row) => ({ ...row }));
    buildThreads(rows);
    expect(rows).toEqual(ROWS);
  });

  it("walks a thread depth first in reading order", () => {
    const [root] = buildThreads(ROWS);
    expect(root && walkThread(root).map((node) => node.label)).toEqual([
      "root A",
      "A.0",
      "A.1",
      "A.1.0",
    ]);
  });
});
