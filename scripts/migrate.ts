/** `npm run db:migrate`: applies pending migrations to the database named by DATABASE_PATH. */
import { databasePath, migrateDatabase, openDatabase } from "#db/client";

const path = databasePath();
const db = openDatabase(path);
migrateDatabase(db);
db.$client.close();
console.log(`migrated ${path}`);
