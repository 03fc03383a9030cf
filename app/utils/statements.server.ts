/**
 * Statements prepared once per connection, for the hot paths (a write's inserts, the write-limit
 * check). A one-off drizzle query builds its SQL text and SQLite compiles it on every call, and a
 * statement that writes `annotation` compiles every trigger on the table too (~0.5 ms of the ~3 ms a
 * write cost). Kept per connection, not per module, because tests open a database per test; made
 * on first use. SQLite recompiles a kept statement by itself when a migration changes the schema.
 */
import type { Db } from "#db/client";

/** The database or an open transaction on it. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * `make` once per connection. Given a transaction object rather than the connection (drizzle does
 * not say which connection it belongs to), the statements are made for that call only, as any
 * one-off query would be: callers on a hot path pass the connection, also inside its transaction.
 */
export function perConnection<T>(make: (db: DbOrTx) => T): (db: DbOrTx) => T {
  const made = new WeakMap<Db["$client"], T>();
  return (db) => {
    if (!("$client" in db)) return make(db);
    let statements = made.get(db.$client);
    if (statements === undefined) {
      statements = make(db);
      made.set(db.$client, statements);
    }
    return statements;
  };
}
