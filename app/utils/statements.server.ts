/**
 * Statements prepared once per connection, for the hot paths (a write's inserts, the write-limit
 * check). A one-off drizzle query builds its SQL text and SQLite compiles it on every call, and a
 * statement that writes `annotation` compiles every trigger on the table too (~0.5 ms of the ~3 ms a
 * write cost). Kept per connection, not per module, because tests open a database per test; made
 * on first use. SQLite recompiles a kept statement by itself when a migration changes the schema.
 */
import type { Db } from "#db/client";

export function perConnection<T>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db["$client"], T>();
  return (db) => {
    let statements = made.get(db.$client);
    if (statements === undefined) {
      statements = make(db);
      made.set(db.$client, statements);
    }
    return statements;
  };
}
