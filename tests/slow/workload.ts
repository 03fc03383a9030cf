/**
 * Concurrent writers through HTTP, the way browsers post the forms without script: each reader is
 * one sequential client (its own session cookie) creating annotations, replying, editing and
 * deleting its own, and endorsing others'. Every write the client saw acknowledged (a 302/303) is
 * remembered exactly; a write whose answer never came (the server died) is remembered as "maybe".
 */
import { WRITE_LIMITS } from "#app/models/write-limit.server";
import type { Paragraph, Reader } from "./harness";

const KINDS = ["annotation", "question", "counterargument", "source"] as const;
type Kind = (typeof KINDS)[number];

export type Op = "create" | "reply" | "edit" | "delete" | "endorse";

export type Tracked = {
  id: number;
  author: number;
  parentId: number | null;
  rootId: number;
  articleId: number;
  blockId: number;
  kind: Kind;
  visibility: "public" | "private";
  quote: { exact: string; start: number } | null;
  /** Bodies the row may hold: the last acknowledged one, plus edits whose answer never came. */
  bodies: Set<string>;
  /** Every acknowledged body, oldest first, and when each was acknowledged (ms since the epoch). */
  history: string[];
  historyAt: number[];
  /** Likewise the source's title (null: not a source). */
  sourceTitles: Set<string> | null;
  sourceUrl: string | null;
  deleted: "no" | "yes" | "maybe";
};

export type Knowledge = {
  annotations: Map<number, Tracked>;
  /** `${reader}:${annotation}` → whether that reader endorses it. */
  endorsements: Map<string, "yes" | "no" | "maybe">;
  /** Bodies of creates and replies whose answer never came: they may or may not exist. */
  unanswered: string[];
  /** `${op} ${status}` → how many; status "network" for no answer. */
  statuses: Map<string, number>;
  /** Every 5xx, or any other answer a client should never get. */
  failures: string[];
  /** When each acknowledged create was acknowledged (ms since the epoch), by id. */
  acknowledgedAt: Map<number, number>;
};

export function newKnowledge(): Knowledge {
  return {
    annotations: new Map(),
    endorsements: new Map(),
    unanswered: [],
    statuses: new Map(),
    failures: [],
    acknowledgedAt: new Map(),
  };
}

/** A small seeded PRNG (mulberry32), so that a failing run can be repeated. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Answer =
  | { status: number; location: string | null }
  | { status: "network"; error: string };

export async function post(
  origin: string,
  path: string,
  form: Record<string, string>,
  reader: Reader,
): Promise<Answer> {
  try {
    const response = await fetch(`${origin}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: reader.cookie,
        Origin: origin,
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(20_000),
    });
    // Read the body to the end: the answer is complete only then.
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get("location") };
  } catch (error) {
    return { status: "network", error: String((error as Error).cause ?? error) };
  }
}

const isRedirect = (answer: Answer) => answer.status === 302 || answer.status === 303;

export type WorkloadOptions = {
  /** Server origins; each request goes to one of them at random. */
  origins: () => string[];
  readers: Reader[];
  slug: string;
  paragraphs: Paragraph[];
  knowledge: Knowledge;
  seed: number;
  /** How many concurrent clients; each signs in as its share of `readers` in turn (default: one per reader). */
  clients?: number;
  /** Stop after this many operations per client, when `stop()` says so, or when the readers' write budgets are spent. */
  opsPerClient?: number;
  stop?: () => boolean;
  /** Relative weights of each operation. */
  mix?: Partial<Record<Op, number>>;
  /** Called before each request; a crash test uses it to wait while the server is down. */
  beforeRequest?: () => Promise<void>;
  tag?: string;
};

const DEFAULT_MIX: Record<Op, number> = {
  create: 30,
  reply: 20,
  edit: 15,
  delete: 15,
  endorse: 20,
};

function words(text: string): { start: number; end: number }[] {
  const chars = Array.from(text);
  const found: { start: number; end: number }[] = [];
  let start = -1;
  chars.forEach((ch, i) => {
    const space = /\s/u.test(ch);
    if (!space && start < 0) start = i;
    if (space && start >= 0) {
      found.push({ start, end: i });
      start = -1;
    }
  });
  if (start >= 0) found.push({ start, end: chars.length });
  return found;
}

function count(knowledge: Knowledge, op: Op, answer: Answer): void {
  const key = `${op} ${answer.status}`;
  knowledge.statuses.set(key, (knowledge.statuses.get(key) ?? 0) + 1);
}

function idFromLocation(location: string | null): number | null {
  // Both thread pages redirect to the written annotation's anchor: `…#a-<id>`.
  const match = location && /#a-(\d+)$/.exec(location);
  return match ? Number(match[1]) : null;
}

/** Runs every reader's client until each has done its operations or `stop()` is true. */
export async function runWorkload(options: WorkloadOptions): Promise<void> {
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const ops = (Object.keys(mix) as Op[]).filter((op) => mix[op] > 0);
  const total = ops.reduce((sum, op) => sum + mix[op], 0);
  const clients = options.clients ?? options.readers.length;
  await Promise.all(
    Array.from({ length: clients }, (_, client) => {
      const own = options.readers.map((_, i) => i).filter((i) => i % clients === client);
      return runClient(options, own, client, ops, mix, total);
    }),
  );
}

/**
 * What one reader may write before the per-user write limits (app/models/write-limit.server.ts)
 * would refuse: the smallest budget of each kind, less a margin. A client then signs in as its
 * next reader.
 */
const BUDGET = {
  annotation: Math.min(...WRITE_LIMITS.annotation.map((limit) => limit.max)) - 2,
  endorsement: Math.min(...WRITE_LIMITS.endorsement.map((limit) => limit.max)) - 2,
};

async function runClient(
  options: WorkloadOptions,
  own: number[],
  client: number,
  ops: Op[],
  mix: Record<Op, number>,
  total: number,
): Promise<void> {
  const { knowledge, paragraphs, slug } = options;
  const random = rng(options.seed * 1000 + client);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const tag = options.tag ?? "w";
  let n = 0;
  let slot = 0;
  let me = own[0] as number;
  let reader = options.readers[me] as Reader;
  let spent = { annotation: 0, endorsement: 0 };

  const fail = (op: Op, answer: Answer, detail: string) => {
    knowledge.failures.push(`${op} by reader ${me} → ${answer.status} (${detail})`);
  };

  for (let done = 0; ; done++) {
    if (options.opsPerClient !== undefined && done >= options.opsPerClient) return;
    if (options.stop?.()) return;
    if (spent.annotation >= BUDGET.annotation || spent.endorsement >= BUDGET.endorsement) {
      slot += 1;
      if (slot >= own.length) return; // every reader of this client has spent its budget
      me = own[slot] as number;
      reader = options.readers[me] as Reader;
      spent = { annotation: 0, endorsement: 0 };
    }
    await options.beforeRequest?.();
    const origins = options.origins();
    const origin = pick(origins);
    let roll = random() * total;
    let op = ops[0] as Op;
    for (const candidate of ops) {
      roll -= mix[candidate];
      if (roll < 0) {
        op = candidate;
        break;
      }
    }
    const all = [...knowledge.annotations.values()];
    const mine = all.filter((a) => a.author === me && a.deleted === "no");
    const answerable = all.filter(
      (a) => a.deleted === "no" && (a.visibility === "public" || a.author === me),
    );
    const endorsable = all.filter(
      (a) => a.deleted === "no" && a.visibility === "public" && a.author !== me,
    );
    if ((op === "edit" || op === "delete") && mine.length === 0) op = "create";
    if (op === "reply" && answerable.length === 0) op = "create";
    if (op === "endorse" && endorsable.length === 0) op = "create";
    if (op === "endorse") spent.endorsement += 1;
    else if (op !== "delete") spent.annotation += 1;
    n += 1;
    const body = `${tag} ${me}-${n} ${op} ${Math.floor(random() * 1e9).toString(36)} pelican`;

    if (op === "create") {
      const paragraph = pick(paragraphs);
      const kind = pick([...KINDS]);
      const form: Record<string, string> = { intent: "create", kind, body };
      let quote: Tracked["quote"] = null;
      if (random() < 0.5) {
        const ws = words(paragraph.text);
        const from = Math.floor(random() * Math.max(1, ws.length - 4));
        const to = Math.min(ws.length - 1, from + 1 + Math.floor(random() * 4));
        const first = ws[from];
        const last = ws[to];
        if (first && last) {
          const exact = Array.from(paragraph.text).slice(first.start, last.end).join("");
          quote = { exact, start: first.start };
          form.quote = exact;
          form.quoteStart = String(first.start);
        }
      }
      const visibility = random() < 0.1 ? "private" : "public";
      if (visibility === "private") form.visibility = "private";
      const sourceTitle = kind === "source" ? `Title ${tag} ${me}-${n}` : null;
      const sourceUrl = kind === "source" ? `https://example.org/${tag}/${me}/${n}` : null;
      if (sourceTitle && sourceUrl) {
        Object.assign(form, { sourceUrl, sourceTitle, sourceStance: "supports" });
      }
      const answer = await post(origin, `/articles/${slug}/p/${paragraph.anchor}`, form, reader);
      count(knowledge, op, answer);
      const id =
        isRedirect(answer) && "location" in answer ? idFromLocation(answer.location) : null;
      if (id !== null) {
        knowledge.acknowledgedAt.set(id, Date.now());
        knowledge.annotations.set(id, {
          id,
          author: me,
          parentId: null,
          rootId: id,
          articleId: paragraph.articleId,
          blockId: paragraph.blockId,
          kind,
          visibility,
          quote,
          bodies: new Set([body]),
          history: [body],
          historyAt: [Date.now()],
          sourceTitles: sourceTitle ? new Set([sourceTitle]) : null,
          sourceUrl,
          deleted: "no",
        });
      } else if (answer.status === "network") {
        knowledge.unanswered.push(body);
      } else {
        fail(op, answer, "a new annotation must be accepted");
      }
      continue;
    }

    if (op === "reply") {
      const parent = pick(answerable);
      const kind = pick(["annotation", "question", "counterargument"] as const);
      const answer = await post(
        origin,
        `/articles/${slug}/annotations/${parent.id}`,
        { intent: "reply", id: String(parent.id), kind, body },
        reader,
      );
      count(knowledge, op, answer);
      const id =
        isRedirect(answer) && "location" in answer ? idFromLocation(answer.location) : null;
      if (id !== null) {
        knowledge.acknowledgedAt.set(id, Date.now());
        knowledge.annotations.set(id, {
          id,
          author: me,
          parentId: parent.id,
          rootId: parent.rootId,
          articleId: parent.articleId,
          blockId: parent.blockId,
          kind,
          visibility: parent.visibility,
          quote: null,
          bodies: new Set([body]),
          history: [body],
          historyAt: [Date.now()],
          sourceTitles: null,
          sourceUrl: null,
          deleted: "no",
        });
      } else if (answer.status === "network") {
        knowledge.unanswered.push(body);
      } else if (answer.status !== 404) {
        // 404: the parent was deleted meanwhile, which the form says; anything else is wrong.
        fail(op, answer, `reply to ${parent.id}`);
      }
      continue;
    }

    if (op === "edit") {
      const target = pick(mine);
      const form: Record<string, string> = { intent: "edit", id: String(target.id), body };
      const title = `Edited ${tag} ${me}-${n}`;
      if (target.sourceTitles && target.sourceUrl) {
        Object.assign(form, {
          sourceUrl: target.sourceUrl,
          sourceTitle: title,
          sourceStance: "context",
        });
      }
      const answer = await post(origin, `/articles/${slug}/annotations/${target.id}`, form, reader);
      count(knowledge, op, answer);
      if (isRedirect(answer)) {
        target.bodies = new Set([body]);
        target.history.push(body);
        target.historyAt.push(Date.now());
        if (target.sourceTitles) target.sourceTitles = new Set([title]);
      } else if (answer.status === "network") {
        target.bodies.add(body);
        target.sourceTitles?.add(title);
      } else {
        fail(op, answer, `edit of own ${target.id}`);
      }
      continue;
    }

    if (op === "delete") {
      const target = pick(mine);
      const answer = await post(
        origin,
        `/articles/${slug}/annotations/${target.id}`,
        { intent: "delete", id: String(target.id) },
        reader,
      );
      count(knowledge, op, answer);
      if (isRedirect(answer)) target.deleted = "yes";
      else if (answer.status === "network") target.deleted = "maybe";
      else fail(op, answer, `delete of own ${target.id}`);
      continue;
    }

    // endorse (or take back)
    const target = pick(endorsable);
    const key = `${me}:${target.id}`;
    const answer = await post(
      origin,
      `/annotations/${target.id}/endorse`,
      { redirectTo: `/articles/${slug}` },
      reader,
    );
    count(knowledge, op, answer);
    const before = knowledge.endorsements.get(key) ?? "no";
    if (isRedirect(answer)) {
      if (before !== "maybe") knowledge.endorsements.set(key, before === "yes" ? "no" : "yes");
    } else if (answer.status === "network") {
      knowledge.endorsements.set(key, "maybe");
    } else if (answer.status !== 404) {
      // 404: deleted meanwhile by its author.
      fail(op, answer, `endorse ${target.id}`);
    }
  }
}

export function summarize(knowledge: Knowledge): string {
  const statuses = [...knowledge.statuses.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key}: ${n}`)
    .join(", ");
  return `${knowledge.annotations.size} acknowledged annotations; ${statuses}`;
}
