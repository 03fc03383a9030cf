import { sql } from "drizzle-orm";
import { db } from "#app/utils/db.server";

/** Liveness and readiness: answers 200 only when the database answers. */
export async function loader() {
  try {
    db.get(sql`select 1`);
    return new Response("ok", { headers: { "Cache-Control": "no-store" } });
  } catch {
    return new Response("database unavailable", { status: 503 });
  }
}
