/**
 * Where lucia keeps sessions: its `Adapter`, over statements prepared once. lucia's drizzle adapter
 * built and compiled two queries on every request that carried a session cookie (the session, then
 * the session joined to the whole user row, password hash included): ~0.8 ms of one core per
 * request, on the path every signed-in page and write takes (issue 11). Here one prepared statement
 * reads the session and the three user fields the app uses; the hash never leaves SQLite. The
 * table is the one the drizzle adapter used (`expires_at` in seconds), so nothing migrates.
 */
import type { Adapter, DatabaseSession, DatabaseUser } from "lucia";
import type { Db } from "#db/client";

type SessionRow = { id: string; userId: string; expiresAt: number };
type SessionAndUserRow = SessionRow & {
  username: string;
  displayName: string;
  role: "user" | "admin";
};

const toSession = (row: SessionRow): DatabaseSession => ({
  id: row.id,
  userId: row.userId,
  expiresAt: new Date(row.expiresAt * 1000),
  attributes: {},
});

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export class SessionStore implements Adapter {
  private readonly statements;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.statements = {
      sessionAndUser: sqlite.prepare<[string], SessionAndUserRow>(
        `SELECT s.id, s.user_id AS userId, s.expires_at AS expiresAt,
           u.username, u.display_name AS displayName, u.role
         FROM session AS s JOIN user AS u ON u.id = s.user_id
         WHERE s.id = ?`,
      ),
      userSessions: sqlite.prepare<[string], SessionRow>(
        "SELECT id, user_id AS userId, expires_at AS expiresAt FROM session WHERE user_id = ?",
      ),
      insert: sqlite.prepare<[string, string, number]>(
        "INSERT INTO session (id, user_id, expires_at) VALUES (?, ?, ?)",
      ),
      expire: sqlite.prepare<[number, string]>("UPDATE session SET expires_at = ? WHERE id = ?"),
      remove: sqlite.prepare<[string]>("DELETE FROM session WHERE id = ?"),
      removeUser: sqlite.prepare<[string]>("DELETE FROM session WHERE user_id = ?"),
      removeExpired: sqlite.prepare<[number]>("DELETE FROM session WHERE expires_at <= ?"),
    };
  }

  async getSessionAndUser(
    sessionId: string,
  ): Promise<[session: DatabaseSession | null, user: DatabaseUser | null]> {
    const row = this.statements.sessionAndUser.get(sessionId);
    if (!row) return [null, null];
    const { username, displayName, role } = row;
    return [toSession(row), { id: row.userId, attributes: { username, displayName, role } }];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    return this.statements.userSessions.all(userId).map(toSession);
  }

  async setSession(session: DatabaseSession): Promise<void> {
    this.statements.insert.run(session.id, session.userId, seconds(session.expiresAt));
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    this.statements.expire.run(seconds(expiresAt), sessionId);
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.statements.remove.run(sessionId);
  }

  async deleteUserSessions(userId: string): Promise<void> {
    this.statements.removeUser.run(userId);
  }

  async deleteExpiredSessions(): Promise<void> {
    this.statements.removeExpired.run(seconds(new Date()));
  }
}
